import type { IHttpRequestHelper } from 'n8n-workflow';

/**
 * How long every request of this package waits for an answer unless the node's Timeout option
 * (Options > Timeout) says otherwise. n8n's own default is 300 seconds, far longer than a
 * token or admin call should take, and it fills the timeout of every request itself: so the
 * value is set where each request is sent, not in requestDefaults.
 */
export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Where a node's item leaves its timeout for the credential's token requests. n8n hands a
 * credential's preAuthentication the item's own helpers object and nothing else of the node,
 * so that object carries it, under a key nothing else uses.
 */
const TOKEN_REQUEST_TIMEOUT = Symbol('tokenRequestTimeout');

type HelpersWithTimeout = { [TOKEN_REQUEST_TIMEOUT]?: number };

export function shareTimeoutWithTokenRequests(helpers: object, timeoutMs: number): void {
	(helpers as HelpersWithTimeout)[TOKEN_REQUEST_TIMEOUT] = timeoutMs;
}

/** The timeout for a credential's token request: the node's, or the package default (HTTP Request node, credential tests). */
export function tokenRequestTimeout(helper: IHttpRequestHelper): number {
	return (helper.helpers as HelpersWithTimeout)[TOKEN_REQUEST_TIMEOUT] ?? DEFAULT_TIMEOUT_MS;
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

/** "30 seconds", "1 second", "0.5 seconds". */
export function inSeconds(timeoutMs: number): string {
	const seconds = timeoutMs / 1000;
	return `${seconds} second${seconds === 1 ? '' : 's'}`;
}
