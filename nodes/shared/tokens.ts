import { createHash } from 'crypto';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	INodeProperties,
} from 'n8n-workflow';

import { describeHttpFailure, undocumentedAnswer } from './httpErrors';
import type { ApiProvider } from './provider';
import { redactDeep, redactSecrets, secretValuesByName } from './redaction';
import { sameOriginRedirect, type RedirectHop, type RedirectRefusedError } from './redirects';
import { DEFAULT_TIMEOUT_MS, inSeconds, isTimeout, timeoutOf, tokenRequest } from './timeout';

/**
 * A token endpoint refused or could not be reached. n8n wraps whatever a credential's
 * preAuthentication throws in a NodeApiError and keeps its `message` and `description`.
 * The class has no `status` or `code` field on purpose: n8n would take that for an HTTP
 * status, swap the message for a generic one and, on 401, ask for a token a second time.
 */
export class TokenRequestError extends Error {
	description: string;

	constructor(message: string, description: string) {
		super(message);
		this.name = 'TokenRequestError';
		this.description = description;
	}
}

/** An access token and, when the provider says, when it stops working (epoch ms). */
export interface IssuedToken {
	accessToken: string;
	expiresAt?: number;
}

/** When a token expires (epoch ms), from a lifetime in seconds sent as a number or a string. */
export function expiryAfterSeconds(seconds: unknown): number | undefined {
	if (typeof seconds !== 'number' && (typeof seconds !== 'string' || seconds.trim() === '')) return undefined;
	const value = Number(seconds);
	return Number.isFinite(value) ? Date.now() + value * 1000 : undefined;
}

/** When a token expires (epoch ms), from an ISO 8601 instant. */
export function expiryAtInstant(instant: unknown): number | undefined {
	const at = typeof instant === 'string' ? Date.parse(instant) : NaN;
	return Number.isNaN(at) ? undefined : at;
}

/** The same-origin hop a token response asks for, or the error that refuses it. */
function redirectOrRefusal(
	provider: ApiProvider,
	request: IHttpRequestOptions,
	response: IN8nHttpFullResponse,
	hop: number,
): RedirectHop | TokenRequestError | undefined {
	try {
		return sameOriginRedirect(
			provider.displayName,
			request.url,
			request.method ?? 'GET',
			{ status: response.statusCode, headers: response.headers as Record<string, unknown> },
			hop,
		);
	} catch (error) {
		const refused = error as RedirectRefusedError;
		return new TokenRequestError(
			`The credential could not get an access token: ${refused.message}`,
			refused.description,
		);
	}
}

/**
 * Sends a token request from a credential's preAuthentication and returns the JSON body.
 * Failures become TokenRequestErrors carrying the provider's own message; the request
 * itself (which holds the secrets) never appears in them. n8n does not follow redirects here
 * (see redirects.ts): a token endpoint that points to another origin is an error, so the
 * secrets in the request never go there and no token from there is used. Only the documented
 * success status with a JSON object counts: a captive portal's page is not a token.
 */
export async function requestToken(
	helper: IHttpRequestHelper,
	provider: ApiProvider,
	request: IHttpRequestOptions,
	{ successStatus = 200 }: { successStatus?: number } = {},
): Promise<IDataObject> {
	const secrets = secretsSentIn(request);
	const outcome = await sendTokenRequest(helper, provider, request, successStatus, secrets).then(
		(body) => ({ body }),
		(error: unknown) => ({ error }),
	);
	if ('body' in outcome) return outcome.body;
	// Whoever shows this error (this package's nodes, or n8n's HTTP Request node, which does
	// not clean errors) gets it without any secret the request carried.
	const { message, description } = outcome.error as TokenRequestError;
	throw new TokenRequestError(redactSecrets(message, secrets), redactSecrets(description ?? '', secrets));
}

/**
 * The secrets a token request carries: Basic auth, the Authorization header's credentials,
 * and secret-named fields of the body. A token endpoint can only echo back what it was sent.
 */
function secretsSentIn(request: IHttpRequestOptions): string[] {
	const authorization = Object.entries(request.headers ?? {}).find(([name]) => name.toLowerCase() === 'authorization')?.[1];
	return [
		request.auth?.password,
		typeof authorization === 'string' ? authorization.replace(/^\S+\s+/, '') : undefined,
		...secretValuesByName(typeof request.body === 'object' ? (request.body as IDataObject) : undefined),
	].filter((value): value is string => typeof value === 'string' && value !== '');
}

async function sendTokenRequest(
	helper: IHttpRequestHelper,
	provider: ApiProvider,
	request: IHttpRequestOptions,
	successStatus: number,
	secrets: string[],
): Promise<IDataObject> {
	let current: IHttpRequestOptions = request;
	let response: IN8nHttpFullResponse;
	for (let hop = 0; ; hop++) {
		const outcome = await helper.helpers
			.httpRequest(
				// Marked so that the node's Timeout reaches it (see timeout.ts), on every hop.
				tokenRequest({
					json: true,
					...current,
					returnFullResponse: true,
					ignoreHttpStatusErrors: true,
					disableFollowRedirect: true,
					sendCredentialsOnCrossOriginRedirect: false,
				}),
			)
			.then(
				(answer: IN8nHttpFullResponse) => ({ answer }),
				(error: Error) => ({ error }),
			);
		if ('error' in outcome && isTimeout(outcome.error)) {
			const waited = timeoutOf(outcome.error);
			throw new TokenRequestError(
				`The credential could not get an access token: ${provider.displayName} did not answer within ${inSeconds(waited)}`,
				`${request.method ?? 'GET'} ${request.url} timed out after ${inSeconds(waited)} (the node's Options > Timeout; ${inSeconds(DEFAULT_TIMEOUT_MS)} unless set). Check the base URL in the credential, or allow more time.`,
			);
		}
		if ('error' in outcome) {
			throw new TokenRequestError(
				`The credential could not reach ${provider.displayName} to get an access token`,
				`${request.method ?? 'GET'} ${request.url} failed: ${outcome.error.message}. Check the base URL in the credential.`,
			);
		}
		response = outcome.answer;
		const next = redirectOrRefusal(provider, current, response, hop);
		if (next instanceof TokenRequestError) throw next;
		if (!next) break;
		current = {
			...current,
			url: next.url,
			method: next.method as IHttpRequestOptions['method'],
			body: next.keepBody ? current.body : undefined,
		};
	}
	if (response.statusCode >= 400) {
		// Cleaned before the message is shortened, so no cut-off secret is left behind.
		const { message, description } = describeHttpFailure(provider, {
			status: response.statusCode,
			body: redactDeep(response.body, secrets),
			headers: response.headers,
		});
		throw new TokenRequestError(
			`The credential could not get an access token. ${message}`,
			`${description} Check the values in the credential.`,
		);
	}
	// requestToken redacts the message; the body is cleaned here, before it is cut short.
	const wrong = undocumentedAnswer(
		provider,
		{ status: successStatus, body: 'json object' },
		{ status: response.statusCode, headers: response.headers, body: response.body },
		secrets,
	);
	if (wrong) {
		throw new TokenRequestError(`The credential could not get an access token. ${wrong.message}`, wrong.description);
	}
	return response.body as IDataObject;
}

/** A non-empty string field of a token response; its absence means the endpoint is not what the credential expects. */
export function tokenField(body: IDataObject, field: string, provider: ApiProvider): string {
	const value = body[field];
	if (typeof value === 'string' && value !== '') return value;
	throw new TokenRequestError(
		`${provider.displayName} answered the token request without "${field}"`,
		`The response had no "${field}" field. Check the base URL or token URL in the credential.`,
	);
}

/** Tokens are renewed this long before the provider says they expire. */
const EXPIRY_MARGIN_MS = 60_000;

const tokenCache = new Map<string, { token?: IssuedToken; pending?: Promise<IssuedToken> }>();

/** Identifies a credential by the values that decide which token it gets, without keeping them. */
function tokenCacheKey(identity: unknown[]): string {
	return createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}

/**
 * Returns an access token for the credential identified by `cacheKey`, fetching one only
 * when needed. n8n sends every item's request at once and calls a credential's
 * preAuthentication once per item while its token is empty or was just rejected with a
 * 401, so without this, N items would cost N token requests. Every caller that arrives
 * while a fetch is under way waits for that fetch; a caller holding a token that another
 * caller has already replaced gets the replacement.
 *
 * @param heldToken the token the caller has: empty, or the one the API just rejected
 */
async function sharedAccessToken(
	cacheKey: string,
	heldToken: unknown,
	fetchToken: () => Promise<IssuedToken>,
): Promise<string> {
	const cached = tokenCache.get(cacheKey);
	if (cached?.pending) return (await cached.pending).accessToken;
	const token = cached?.token;
	if (
		token &&
		token.accessToken !== heldToken &&
		(token.expiresAt === undefined || token.expiresAt - EXPIRY_MARGIN_MS > Date.now())
	) {
		return token.accessToken;
	}

	const pending = fetchToken();
	tokenCache.set(cacheKey, { pending });
	let issued: IssuedToken | undefined;
	try {
		issued = await pending;
		return issued.accessToken;
	} finally {
		// A failed fetch leaves nothing behind, so the next caller tries again.
		if (issued) tokenCache.set(cacheKey, { token: issued });
		else tokenCache.delete(cacheKey);
	}
}

/** Name of the hidden field where a token-managing credential keeps its current token. */
export const SESSION_TOKEN = 'sessionToken';

/**
 * The hidden field n8n watches: it calls the credential's preAuthentication whenever this is
 * empty or a request with it was answered 401, and stores what preAuthentication returns.
 */
export const sessionTokenProperty: INodeProperties = {
	displayName: 'Session Token',
	name: SESSION_TOKEN,
	type: 'hidden',
	typeOptions: { expirable: true, password: true },
	default: '',
};

/*
 * A stored token is bound to the credential values it was issued for (base URL, token URL,
 * client, pool...): it is stored as `<fingerprint>:<token>`, the fingerprint being a hash of
 * those values. When the user changes one of them, n8n keeps the stored token, but it no
 * longer matches: the credential sends no token at all, the API answers 401, and n8n asks
 * preAuthentication for a new one, from the new address. The old token never goes there.
 */
const BOUND_TOKEN = /^([0-9a-f]{32}):([\s\S]+)$/;

function fingerprintOf(identity: unknown[]): string {
	return tokenCacheKey(identity).slice(0, 32);
}

/** The stored session token when it was issued for these credential values; undefined otherwise. */
export function boundSessionToken(
	credentials: ICredentialDataDecryptedObject,
	identity: unknown[],
): string | undefined {
	const stored = credentials[SESSION_TOKEN];
	const match = typeof stored === 'string' ? BOUND_TOKEN.exec(stored) : null;
	return match && match[1] === fingerprintOf(identity) ? match[2] : undefined;
}

/**
 * What a token-managing credential's preAuthentication returns: a session token bound to
 * `identity`, fetched with `fetchToken` only when no other caller has a usable one (see
 * sharedAccessToken).
 *
 * @param identity the credential values that decide which token it gets
 */
export async function sessionToken(
	credentials: ICredentialDataDecryptedObject,
	identity: unknown[],
	fetchToken: () => Promise<IssuedToken>,
): Promise<ICredentialDataDecryptedObject> {
	const held = boundSessionToken(credentials, identity) ?? '';
	const token = await sharedAccessToken(tokenCacheKey(identity), held, fetchToken);
	return { [SESSION_TOKEN]: `${fingerprintOf(identity)}:${token}` };
}
