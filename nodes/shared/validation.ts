import type { IExecuteSingleFunctions } from 'n8n-workflow';
import { z } from 'zod/v3';

import { nothingSent } from './parameters';
import type { ApiProvider } from './provider';
import { checkedUrl } from './urls';

/* Each rule names the field as the panel shows it, so the message says what to fix. */

/** Half a surrogate pair: not encodable in a URL or JSON. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function text(label: string) {
	return z
		.string({ required_error: `${label} is required`, invalid_type_error: `${label} must be text` })
		.refine((value) => !LONE_SURROGATE.test(value), `${label} is not well-formed text (it holds half of a character pair)`);
}

export function requiredText(label: string, { max }: { max?: number } = {}) {
	const rule = text(label).refine((value) => value.trim() !== '', `${label} is required`);
	return max === undefined
		? rule
		: rule.refine((value) => value.length <= max, `${label} must be at most ${max} characters`);
}

/** An address in a node field: a credential's base URL rules, with no option for plain http://. */
export function address(label: string) {
	return requiredText(label).superRefine((value, context) => {
		try {
			checkedUrl(value, label, undefined);
		} catch (error) {
			context.addIssue({ code: z.ZodIssueCode.custom, message: (error as Error).message });
		}
	});
}

/** A blank value would be sent as "". */
export function optionalText(label: string, limits: { max?: number } = {}) {
	return requiredText(label, limits).optional();
}

/** n8n's HTTP stack would silently strip what HTTP does not allow, or a line break would end the header. */
export function headerValue(label: string) {
	return requiredText(label).refine(
		(value) => /^[\t\x20-\x7E\x80-\xFF]*$/.test(value),
		`${label} is sent as an HTTP header, so it cannot contain line breaks, control characters or characters outside Latin-1`,
	);
}

/** zod's own message does not name the field. */
export function choice<T extends string>(label: string, values: readonly [T, ...T[]]) {
	return z.enum(values, {
		errorMap: () => ({ message: `${label} must be one of: ${values.join(', ')}` }),
	});
}

/** `.` and `..` survive encoding, and URL parsers fold them away (even as %2E). */
export function pathSegment(label: string) {
	return requiredText(label).refine(
		(value) => value !== '.' && value !== '..',
		`${label} cannot be "." or "..": the request would go to a different address`,
	);
}

export function wholeNumber(label: string, { min, max }: { min?: number; max?: number }) {
	let rule = z
		.number({ required_error: `${label} is required`, invalid_type_error: `${label} must be a number` })
		.int(`${label} must be a whole number`);
	if (min !== undefined) rule = rule.min(min, `${label} must be at least ${min}`);
	if (max !== undefined) rule = rule.max(max, `${label} must be at most ${max}`);
	return rule;
}

export function textList(label: string) {
	return z.array(requiredText(`Each entry of ${label}`), {
		invalid_type_error: `${label} must be a list of text values`,
	});
}

type ParameterRules = z.ZodObject<z.ZodRawShape>;

/** Parameter names to rules, optionally with a check across them (`.refine`). */
export type InputRules = ParameterRules | z.ZodEffects<ParameterRules>;

/** n8n leaves parameters hidden by displayOptions out; they reach the rules as `undefined`. */
function readParameters(context: IExecuteSingleFunctions, rules: InputRules) {
	const parameters = rules instanceof z.ZodEffects ? rules.innerType() : rules;
	const values: Record<string, unknown> = {};
	for (const name of Object.keys(parameters.shape)) {
		const value = context.getNodeParameter(name, null);
		values[name] = value === null ? undefined : value;
	}
	return values;
}

export function assertValidInput(
	context: IExecuteSingleFunctions,
	provider: ApiProvider,
	rules: InputRules,
): void {
	const result = rules.safeParse(readParameters(context, rules));
	if (result.success) return;
	const problems = [...new Set(result.error.issues.map((issue) => issue.message))];
	throw nothingSent(context, problems[0], `${problems.join('. ')}.`, provider.displayName);
}
