import { NodeOperationError, type IExecuteSingleFunctions } from 'n8n-workflow';
import { z } from 'zod/v3';

import type { ApiProvider } from './provider';
import { checkedUrl } from './urls';

/*
 * Field rules for validating an item before anything is sent. Each rule names the field as
 * the node panel shows it, so the message tells the user exactly what to fix.
 */

/** Half of a UTF-16 surrogate pair without its other half: not text, and not encodable in a URL or JSON. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Text that may be empty: a field the user may leave blank. It must be well-formed. */
export function text(label: string) {
	return z
		.string({ required_error: `${label} is required`, invalid_type_error: `${label} must be text` })
		.refine((value) => !LONE_SURROGATE.test(value), `${label} is not well-formed text (it holds half of a character pair)`);
}

/** Text that must not be blank, and no longer than the API documents (`max` characters). */
export function requiredText(label: string, { max }: { max?: number } = {}) {
	const rule = text(label).refine((value) => value.trim() !== '', `${label} is required`);
	return max === undefined
		? rule
		: rule.refine((value) => value.length <= max, `${label} must be at most ${max} characters`);
}

/**
 * An address in a node field (a node run without credential sets it there): the rules of a
 * credential's base URL (urls.ts), with no option to allow plain http:// to another machine.
 */
export function address(label: string) {
	return requiredText(label).superRefine((value, context) => {
		try {
			checkedUrl(value, label, undefined);
		} catch (error) {
			context.addIssue({ code: z.ZodIssueCode.custom, message: (error as Error).message });
		}
	});
}

/** Optional text that, when given, must not be blank (a blank value would be sent as "" otherwise). */
export function optionalText(label: string, limits: { max?: number } = {}) {
	return requiredText(label, limits).optional();
}

/**
 * A value sent as an HTTP header. HTTP allows tab, visible ASCII and Latin-1 there; n8n's
 * HTTP stack would silently strip the rest, or a line break would end the header.
 */
export function headerValue(label: string) {
	return requiredText(label).refine(
		(value) => /^[\t\x20-\x7E\x80-\xFF]*$/.test(value),
		`${label} is sent as an HTTP header, so it cannot contain line breaks, control characters or characters outside Latin-1`,
	);
}

/** One of a fixed set of values, named as the panel names the field (zod's own message does not). */
export function choice<T extends string>(label: string, values: readonly [T, ...T[]]) {
	return z.enum(values, {
		errorMap: () => ({ message: `${label} must be one of: ${values.join(', ')}` }),
	});
}

/**
 * A value that goes into a URL path. It is URL-encoded when sent, but `.` and `..` survive
 * encoding and URL parsers fold them away (even written as %2E), which would send the request
 * to another path.
 */
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

/** A list of non-blank text values, as n8n's multi-value string fields produce. */
export function textList(label: string) {
	return z.array(requiredText(`Each entry of ${label}`), {
		invalid_type_error: `${label} must be a list of text values`,
	});
}

type ParameterRules = z.ZodObject<z.ZodRawShape>;

/**
 * Node parameter names mapped to the rules their values must follow, optionally with a check
 * across parameters (`.refine`, as in "one of these two is required").
 */
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

/** Checks this item's parameters and throws, naming every wrong field, before any request. */
export function assertValidInput(
	context: IExecuteSingleFunctions,
	provider: ApiProvider,
	rules: InputRules,
): void {
	const result = rules.safeParse(readParameters(context, rules));
	if (result.success) return;
	const problems = [...new Set(result.error.issues.map((issue) => issue.message))];
	throw new NodeOperationError(context.getNode(), problems[0], {
		itemIndex: context.getItemIndex(),
		description: `${problems.join('. ')}. Nothing was sent to ${provider.displayName}.`,
	});
}
