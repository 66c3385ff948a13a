/*
 * n8n follows redirects keeping Authorization, custom headers and (307/308) the body across origins,
 * so every request goes out with following off, and only same-origin redirects are followed here.
 */
import { responseHeader } from './httpErrors';
import { parsedUrl } from './urls';
import { UserError } from './userError';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** APIs need one or two. */
const MAX_SAME_ORIGIN_REDIRECTS = 5;

export function isAbsoluteUrl(url: string): boolean {
	return /^[a-z][a-z\d+.-]*:\/\//i.test(url);
}

/** Joined the way n8n's HTTP stack (axios) joins them. */
export function requestUrlOf(options: { baseURL?: string; url?: string }): string {
	const url = options.url ?? '';
	if (isAbsoluteUrl(url) || !options.baseURL) return url;
	return `${options.baseURL.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`;
}

interface RedirectHop {
	url: string;
	method: string;
	keepBody: boolean;
}

type Hop = { url?: string; baseURL?: string; method?: string; body?: unknown; qs?: object };

/** The one redirect loop: `send` sends one hop; where `answerOf` finds a same-origin redirect in its result, the next hop is sent. */
export async function followingSameOrigin<R extends Hop, T>(
	who: string,
	request: R,
	send: (request: R) => Promise<T>,
	answerOf: (result: T) => { status: number; headers: Record<string, unknown> } | undefined,
): Promise<T> {
	let current = request;
	for (let hop = 0; ; hop++) {
		const result = await send(current);
		const answer = answerOf(result);
		const next = answer && sameOriginRedirect(who, requestUrlOf(current), current.method ?? 'GET', answer, hop);
		if (!next) return result;
		// The new address carries its own query.
		current = { ...current, url: next.url, method: next.method, body: next.keepBody ? current.body : undefined, qs: {} } as R;
	}
}

/** The next hop, undefined when not a redirect; a UserError, its message starting with `who`, for another origin or too many hops. */
function sameOriginRedirect(
	who: string,
	from: string,
	method: string,
	response: { status: number; headers: Record<string, unknown> },
	hop: number,
): RedirectHop | undefined {
	const location = responseHeader(response.headers, 'location') || undefined;
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
