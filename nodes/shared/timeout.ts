import type { IExecuteSingleFunctions, IHttpRequestOptions } from 'n8n-workflow';

/**
 * How long every request of this package waits for an answer unless the node's Timeout option
 * (Options > Timeout) says otherwise. n8n's own default is 300 seconds, far longer than a
 * token or admin call should take, and it fills the timeout of every request itself: so the
 * value is set where each request is sent, not in requestDefaults.
 */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Marks a credential's token request, so that the node it runs for can give it its Timeout. */
const TOKEN_REQUEST = Symbol('tokenRequest');

type MarkedRequest = IHttpRequestOptions & { [TOKEN_REQUEST]?: true };

/** A credential's token request, waiting the package default unless a node gives it its own Timeout. */
export function tokenRequest(request: IHttpRequestOptions): IHttpRequestOptions {
	return { timeout: DEFAULT_TIMEOUT_MS, ...request, [TOKEN_REQUEST]: true } as MarkedRequest;
}

/**
 * Gives the credential's token requests made for this item the node's Timeout. n8n hands a
 * credential's preAuthentication nothing of the node but a wrapper around the item's own
 * `helpers.httpRequest` (n8n 2.41 adds the credential's allowed domains there, copying the
 * request options, marks included), so the item's `httpRequest` is where the node's Timeout
 * can reach them. Other requests pass through unchanged.
 */
export function applyTimeoutToTokenRequests(helpers: IExecuteSingleFunctions['helpers'], timeoutMs: number): void {
	const send = helpers.httpRequest;
	helpers.httpRequest = async (request: MarkedRequest) =>
		await send(request[TOKEN_REQUEST] ? { ...request, timeout: timeoutMs } : request);
}

/** Whether a failure, or anything it wraps, is a request that ran out of time. */
export function isTimeout(error: unknown): boolean {
	for (let current = error, depth = 0; current && depth < 5; current = (current as Error).cause, depth++) {
		const { code, message } = current as { code?: unknown; message?: unknown };
		if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') return true;
		if (typeof message === 'string' && /timeout of \d+ms exceeded/i.test(message)) return true;
	}
	return false;
}

/**
 * How long a timed-out request waited, from the error n8n's HTTP stack (axios) raised: its
 * request config, or its "timeout of 1500ms exceeded" message.
 */
export function timeoutOf(error: unknown): number {
	for (let current = error, depth = 0; current && depth < 5; current = (current as Error).cause, depth++) {
		const { config, message } = current as { config?: { timeout?: unknown }; message?: unknown };
		if (typeof config?.timeout === 'number' && config.timeout > 0) return config.timeout;
		const stated = typeof message === 'string' ? /timeout of (\d+)ms exceeded/i.exec(message) : null;
		if (stated) return Number(stated[1]);
	}
	return DEFAULT_TIMEOUT_MS;
}

/** "30 seconds", "1 second", "0.5 seconds". */
export function inSeconds(timeoutMs: number): string {
	const seconds = timeoutMs / 1000;
	return `${seconds} second${seconds === 1 ? '' : 's'}`;
}
