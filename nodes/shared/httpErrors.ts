import type { IDataObject } from 'n8n-workflow';

import { isRecord } from './parameters';
import type { ApiProvider, ResponseHeaders } from './provider';
import { redactSecrets } from './redaction';
import { causeChain, UserError } from './userError';

export interface HttpFailure {
	status: number;
	/** The reason phrase the server sent ("Forbidden"). */
	statusText?: string;
	body: unknown;
	headers: ResponseHeaders;
}

const MAX_MESSAGE_LENGTH = 300;

/** The first value, whatever the name's case. */
export function responseHeader(headers: ResponseHeaders, name: string): string | undefined {
	const value = headers[name] ?? headers[name.toLowerCase()];
	if (Array.isArray(value)) return value.length ? String(value[0]) : undefined;
	return value === undefined || value === null ? undefined : String(value);
}

/** Seconds or an HTTP date (RFC 9110). */
export function standardRetryAfterSeconds(headers: ResponseHeaders): number | undefined {
	const value = responseHeader(headers, 'retry-after');
	if (value === undefined) return undefined;
	if (/^\d+$/.test(value.trim())) return Number(value);
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function truncate(text: string): string {
	const oneLine = text.replace(/\s+/g, ' ').trim();
	return oneLine.length > MAX_MESSAGE_LENGTH
		? `${oneLine.slice(0, MAX_MESSAGE_LENGTH - 1)}…`
		: oneLine;
}

/** Some gateways answer with text or an HTML page; only short plain text is worth showing. */
function parseBody(body: unknown): IDataObject | string | undefined {
	if (isRecord(body)) return body;
	if (typeof body !== 'string' || body.trim() === '') return undefined;
	try {
		const parsed: unknown = JSON.parse(body);
		if (isRecord(parsed)) return parsed;
	} catch {
		// not JSON
	}
	return /^\s*</.test(body) ? undefined : body;
}

export function describeHttpFailure(
	provider: ApiProvider,
	failure: HttpFailure,
): { message: string; description: string } {
	const body = parseBody(failure.body);
	const details = isRecord(body)
		? provider.readErrorBody(body)
		: { message: typeof body === 'string' ? body : undefined };
	const requestId =
		details.requestId ??
		(provider.requestIdHeader ? responseHeader(failure.headers, provider.requestIdHeader) : undefined);
	const status = `HTTP ${failure.status}${failure.statusText ? ` ${failure.statusText}` : ''}`;
	const providerMessage = details.message ? truncate(details.message) : undefined;

	const sentences = [
		providerMessage
			? `${provider.displayName} said: "${providerMessage}"`
			: `${provider.displayName} sent no error message.`,
		`Status: ${status}${details.code ? `, code ${details.code}` : ''}.`,
	];
	if (requestId) sentences.push(`Request ID: ${requestId}.`);
	if (failure.status === 429) {
		const seconds = (provider.retryAfterSeconds ?? standardRetryAfterSeconds)(failure.headers);
		sentences.push(
			seconds === undefined
				? 'The provider did not say when to retry; wait before running the node again, or space the requests out with Settings > Request Options > Batching.'
				: `Retry in ${seconds} second${seconds === 1 ? '' : 's'}, or space the requests out with Settings > Request Options > Batching.`,
		);
	}
	const hint = provider.statusHints?.[failure.status];
	if (hint) sentences.push(hint);

	return {
		message: providerMessage
			? `${provider.displayName}: ${providerMessage}`
			: `${provider.displayName} answered ${status}`,
		description: sentences.join(' '),
	};
}

/** An error status that came back as an answer (`ignoreHttpStatusErrors`), shaped like a transport error. */
export class HttpStatusError extends Error {
	response: { status: number; statusText?: string; data: unknown; headers: ResponseHeaders };

	constructor(answer: { statusCode: number; statusMessage?: string; body: unknown; headers: ResponseHeaders }) {
		super(`HTTP ${answer.statusCode}`);
		this.name = 'HttpStatusError';
		this.response = { status: answer.statusCode, statusText: answer.statusMessage, data: answer.body, headers: answer.headers };
	}
}

export function findHttpFailure(error: unknown): HttpFailure | undefined {
	for (const current of causeChain(error, 4)) {
		if (!isRecord(current)) break;
		const response = current.response;
		if (isRecord(response) && typeof response.status === 'number') {
			return {
				status: response.status,
				statusText: typeof response.statusText === 'string' ? response.statusText : undefined,
				body: response.data,
				headers: isRecord(response.headers) ? response.headers : {},
			};
		}
	}
	return undefined;
}

export interface DocumentedSuccess {
	status: number;
	body: 'json object' | 'empty';
}

const SHOWN_BODY_LENGTH = 120;

function bodyText(body: unknown): string {
	if (body === undefined || body === null) return '';
	if (Buffer.isBuffer(body)) return body.toString('utf8');
	return typeof body === 'string' ? body : JSON.stringify(body);
}

/** By tag, not prototype: n8n's expressions may build objects in another realm. */
function isJsonObject(value: unknown): boolean {
	return Object.prototype.toString.call(value) === '[object Object]';
}

export function isDocumentedAnswer(success: DocumentedSuccess, answer: { status: number; body: unknown }): boolean {
	const bodyIsRight = success.body === 'empty' ? bodyText(answer.body) === '' : isJsonObject(answer.body);
	return answer.status === success.status && bodyIsRight;
}

/** Why an answer is not the documented success; secrets are hidden before the body is cut short. */
export function undocumentedAnswer(
	provider: ApiProvider,
	success: DocumentedSuccess,
	answer: { status: number; headers: ResponseHeaders; body: unknown },
	secrets: string[] = [],
): { message: string; description: string } | undefined {
	if (isDocumentedAnswer(success, answer)) return undefined;

	const contentType = responseHeader(answer.headers, 'content-type')?.split(';')[0].trim();
	const text = redactSecrets(bodyText(answer.body), secrets).replace(/\s+/g, ' ').trim();
	const documented = `HTTP ${success.status} with ${success.body === 'empty' ? 'an empty body' : 'a JSON object'}`;
	const shown =
		text === ''
			? 'an empty body'
			: `a body that starts with: "${text.slice(0, SHOWN_BODY_LENGTH)}${text.length > SHOWN_BODY_LENGTH ? '…' : ''}"`;
	return {
		message: `${provider.displayName} answered HTTP ${answer.status} with ${contentType || 'no content type'}, not the documented ${documented}`,
		description: [
			`Expected ${documented}; got HTTP ${answer.status}, Content-Type: ${contentType || 'none'}, ${shown}.`,
			`The node cannot tell whether ${provider.displayName} acted on the request.`,
			'Proxies, captive portals and wrong addresses answer like this: Check the base URL (in the credential, or the node’s Base URL field).',
		].join(' '),
	};
}

/** n8n requires JSON object items; the secrets are looked up only for an error. */
export async function assertJsonObjectItems(
	provider: ApiProvider,
	items: Array<{ json: unknown }>,
	secretsOf: () => Promise<string[]>,
): Promise<void> {
	const wrong = items.find((item) => !isJsonObject(item.json));
	if (!wrong) return;
	const text = redactSecrets(bodyText(wrong.json), await secretsOf()).slice(0, SHOWN_BODY_LENGTH);
	throw new UserError(
		`${provider.displayName} answered with an entry that is not a JSON object`,
		`Every entry should be a JSON object; one is: "${text}". Check the base URL (in the credential, or the node’s Base URL field).`,
		'200',
	);
}
