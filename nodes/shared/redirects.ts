/*
 * Redirects, decided here for every request this package sends (node calls and credentials'
 * token requests). n8n's HTTP stack follows redirects by itself and, by default, keeps the
 * Authorization header on a hop to another origin, keeps custom headers (C2M's X-Client-Id)
 * and, on 307/308, sends the body (client secrets, passwords, share tokens) again. So every
 * request goes out with n8n's following switched off, and the answer is read here:
 * - a redirect to the same origin (scheme, host and port) is followed, up to a few hops;
 * - a redirect to any other origin is refused: nothing is sent there, and the user is told.
 */

import { headerValue } from './httpErrors';
import { parsedUrl } from './urls';
import { UserError } from './userError';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Hops followed within one origin before giving up (n8n's own default is 21; APIs need one or two). */
export const MAX_SAME_ORIGIN_REDIRECTS = 5;

/** Whether a request's URL stands on its own, or is joined to its base URL. */
export function isAbsoluteUrl(url: string): boolean {
	return /^[a-z][a-z\d+.-]*:\/\//i.test(url);
}

/** The address a request goes to, joined the way n8n's HTTP stack (axios) joins base URL and URL. */
export function requestUrlOf(options: { baseURL?: string; url?: string }): string {
	const url = options.url ?? '';
	if (isAbsoluteUrl(url) || !options.baseURL) return url;
	return `${options.baseURL.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`;
}

/** The next request after a redirect: where, with which method, and whether the body goes again. */
export interface RedirectHop {
	url: string;
	method: string;
	keepBody: boolean;
}

/**
 * Where a response sends the request next, or undefined when it is not a redirect. Throws a
 * UserError when the target is on another origin than `from`, or after
 * MAX_SAME_ORIGIN_REDIRECTS hops.
 *
 * @param who the service as the user knows it, for the message
 * @param hop how many redirects were followed already
 */
export function sameOriginRedirect(
	who: string,
	from: string,
	method: string,
	response: { status: number; headers: Record<string, unknown> },
	hop: number,
): RedirectHop | undefined {
	// An empty Location points nowhere: not a redirect.
	const location = headerValue(response.headers, 'location') || undefined;
	if (!REDIRECT_STATUSES.has(response.status) || location === undefined) return undefined;
	const target = parsedUrl(location, from);
	if (!target) {
		throw new UserError(
			`${who} answered HTTP ${response.status} with an address that is not a URL`,
			'The redirect was not followed and nothing more was sent.',
		);
	}
	const expected = parsedUrl(from)?.origin;
	if (target.origin !== expected) {
		throw new UserError(
			`${who} redirected the request to another address (${target.origin}), which is not followed`,
			`HTTP ${response.status} pointed away from ${expected ?? 'the configured address'}. Credentials and secrets are only sent to the address configured in the credential, so nothing was sent to ${target.origin}. If the service has moved, change the URL in the credential.`,
		);
	}
	if (hop >= MAX_SAME_ORIGIN_REDIRECTS) {
		throw new UserError(
			`${who} redirected the request more than ${MAX_SAME_ORIGIN_REDIRECTS} times`,
			'The redirects were not followed further. Check the URL in the credential.',
		);
	}
	// RFC 9110 15.4: 303 always, and 301/302 after a POST (as every client does), become a GET
	// without body; 307 and 308 repeat the request as it was.
	const upper = method.toUpperCase();
	const toGet = response.status === 303 || ((response.status === 301 || response.status === 302) && upper === 'POST');
	return { url: target.href, method: toGet ? 'GET' : upper, keepBody: !toGet };
}
