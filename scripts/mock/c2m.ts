/**
 * C2M API v2's auth tokens as api-reference/c2m.md and c2m.openapi.yaml describe them: issue
 * long-term tokens (ClientKey `X-Client-Id`, or a short-term token with tokens:write; JSON body
 * with additionalProperties: false; 201 and `X-Token-Id`), trade them for short-term tokens
 * (long-term token as Bearer; 201), and revoke either kind (204, idempotent; 404 for an
 * unknown id). Errors are `AuthError`: `{ code, message, details }`.
 */
import { check, mintToken, MockServer, type MockResponse, type RecordedRequest } from './server.ts';

export const C2M_CLIENT = { id: 'c2m_abc123', secret: 'c2m-client-secret-value', otp: '123456' };
export const C2M_ASSERTION = { type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', value: 'eyJhbGciOiJSUzI1NiJ9.c2m.signature' };

const LONG_TOKEN_FIELDS = ['grant_type', 'client_id', 'client_secret', 'otp_code', 'assertion_type', 'assertion', 'scopes', 'ttl_seconds'];
const DEFAULT_SCOPES = ['jobs:submit', 'templates:read', 'tokens:write', 'tokens:revoke'];
const SHORT_LIFETIME_SECONDS = 900;

interface Token {
	id: string;
	kind: 'long' | 'short';
	clientId: string;
	scopes: string[];
	expiresAt: number;
	revoked: boolean;
}

export function c2mErrorBody(_status: number, message: string, code: string) {
	return { code, message };
}

export class C2mMock {
	readonly server: MockServer;

	/** When false, Issue Long-Term leaves token_id out of the body: the id is only in X-Token-Id. */
	tokenIdInBody = true;

	/** How far this server's clock is behind n8n's: its `expires_at` is that much earlier. */
	clockBehindMs = 0;

	private readonly clients = new Map([[C2M_CLIENT.id, { secret: C2M_CLIENT.secret, otp: C2M_CLIENT.otp }]]);

	/** Every token issued, by its value. */
	private readonly tokens = new Map<string, Token>();

	constructor() {
		this.server = new MockServer({
			name: 'C2M',
			errorBody: c2mErrorBody,
			routes: [
				{ method: 'POST', path: '/auth/tokens/long', handler: (r) => this.issueLong(r) },
				{ method: 'POST', path: '/auth/tokens/short', handler: (r) => this.issueShort(r) },
				{ method: 'POST', path: '/auth/tokens/:tokenId/revoke', handler: (r, p) => this.revoke(r, p.tokenId) },
			],
		});
	}

	/**
	 * Registers another client. Credentials share tokens across a process, so a test that counts
	 * token requests starts from a client (and so a long-term token) of its own.
	 */
	addClient(): { id: string; secret: string } {
		const client = { id: mintToken('c2m'), secret: mintToken('secret') };
		this.clients.set(client.id, { secret: client.secret, otp: C2M_CLIENT.otp });
		return client;
	}

	/** A long-term token minted directly, as if issued earlier: its value and its token ID. */
	issueLongTermToken(scopes = DEFAULT_SCOPES, clientId = C2M_CLIENT.id): { value: string; id: string } {
		const { value, token } = this.mint('long', clientId, scopes, 30 * 24 * 3600);
		return { value, id: token.id };
	}

	longTermToken(scopes = DEFAULT_SCOPES, clientId = C2M_CLIENT.id): string {
		return this.issueLongTermToken(scopes, clientId).value;
	}

	/** Makes every short-term token issued so far expire now. */
	expireShortTermTokens(): void {
		for (const token of this.tokens.values()) if (token.kind === 'short') token.expiresAt = 0;
	}

	/** The next request is rate limited; C2M's 429 carries only a message. */
	rateLimitNext(): void {
		this.server.failNext(429, 'Too many requests. Retry after 60 seconds.', 'rate_limited');
	}

	isRevoked(tokenId: string): boolean {
		return [...this.tokens.values()].some((token) => token.id === tokenId && token.revoked);
	}

	private mint(kind: 'long' | 'short', clientId: string, scopes: string[], lifetimeSeconds: number) {
		const value = kind === 'long' ? mintToken('lt') : `eyJhbGciOiJIUzI1NiJ9.${mintToken('st')}.sig`;
		const token: Token = {
			id: mintToken(kind === 'long' ? 'tok_lt' : 'tok_st'),
			kind,
			clientId,
			scopes,
			expiresAt: Date.now() + lifetimeSeconds * 1000,
			revoked: false,
		};
		this.tokens.set(value, token);
		return { value, token, lifetimeSeconds };
	}

	private answer({ value, token, lifetimeSeconds }: ReturnType<C2mMock['mint']>, includeId: boolean): MockResponse {
		return {
			status: 201,
			headers: token.kind === 'long' ? { 'x-token-id': token.id } : {},
			body: {
				token_type: 'Bearer',
				access_token: value,
				expires_in: lifetimeSeconds,
				// A server whose clock is behind n8n's says its tokens expire that much earlier.
				expires_at: new Date(token.expiresAt - this.clockBehindMs).toISOString(),
				scopes: token.scopes,
				...(includeId ? { token_id: token.id } : {}),
			},
		};
	}

	/** The token a request carries as Bearer, if it is live. */
	private bearerToken(request: RecordedRequest, kind?: 'long' | 'short'): Token | undefined {
		const value = check.bearer(request);
		const token = value ? this.tokens.get(value) : undefined;
		if (!token || token.revoked || token.expiresAt < Date.now()) return undefined;
		return kind && token.kind !== kind ? undefined : token;
	}

	private invalid(message: string): MockResponse {
		return this.server.error(400, message, 'invalid_request');
	}

	private issueLong(request: RecordedRequest): MockResponse {
		const clientKey = request.headers['x-client-id'];
		const shortToken = this.bearerToken(request, 'short');
		if (clientKey === undefined && !shortToken) {
			return this.server.error(401, 'A client key (X-Client-Id) or a short-term token is required', 'invalid_token');
		}
		if (clientKey !== undefined && !this.clients.has(String(clientKey))) {
			return this.server.error(401, 'Unknown client key', 'invalid_client');
		}
		if (!clientKey && shortToken && !shortToken.scopes.includes('tokens:write')) {
			return this.server.error(403, 'The token lacks the tokens:write scope', 'insufficient_scope');
		}
		const badBody = check.contentType(request, 'application/json') ?? check.jsonObject(request);
		if (badBody) return this.invalid(badBody);
		const body = request.body as Record<string, unknown>;
		const invalid = check.onlyKeys(body, LONG_TOKEN_FIELDS) ?? check.requiredStrings(body, ['grant_type', 'client_id']);
		if (invalid) return this.invalid(invalid);
		if (clientKey !== undefined && clientKey !== body.client_id) return this.invalid('client_id does not match X-Client-Id');
		if (body.scopes !== undefined && (!Array.isArray(body.scopes) || body.scopes.some((scope) => typeof scope !== 'string'))) {
			return this.invalid('scopes must be an array of strings');
		}
		const ttl = body.ttl_seconds ?? 30 * 24 * 3600;
		if (!Number.isInteger(ttl) || (ttl as number) < 3600 || (ttl as number) > 7_776_000) {
			return this.invalid('ttl_seconds must be an integer from 3600 to 7776000');
		}

		const client = this.clients.get(String(body.client_id));
		if (!client) return this.server.error(400, 'Unknown client_id', 'invalid_grant');
		if (body.grant_type === 'client_credentials') {
			// With a client key, the body must prove the client; a short-term token with tokens:write is proof itself.
			const proven = body.client_secret === client.secret || body.otp_code === client.otp || (!clientKey && shortToken);
			if (body.client_secret !== undefined && body.client_secret !== client.secret) {
				return this.server.error(400, 'The provided client credentials are invalid.', 'invalid_grant');
			}
			if (!proven) return this.server.error(400, 'A client secret, one-time code or assertion is required', 'invalid_grant');
		} else if (body.grant_type === 'assertion') {
			if (body.assertion_type !== C2M_ASSERTION.type || body.assertion !== C2M_ASSERTION.value) {
				return this.server.error(400, 'The assertion is invalid', 'invalid_grant');
			}
		} else {
			return this.invalid('grant_type must be client_credentials or assertion');
		}
		const scopes = (body.scopes as string[] | undefined) ?? DEFAULT_SCOPES;
		return this.answer(this.mint('long', String(body.client_id), scopes, ttl as number), this.tokenIdInBody);
	}

	private issueShort(request: RecordedRequest): MockResponse {
		const longToken = this.bearerToken(request, 'long');
		if (!longToken) return this.server.error(401, 'The long-term token is invalid, expired or revoked', 'invalid_token');
		let scopes = longToken.scopes;
		if (request.rawBody !== '') {
			const badBody = check.contentType(request, 'application/json') ?? check.jsonObject(request);
			if (badBody) return this.invalid(badBody);
			const body = request.body as Record<string, unknown>;
			const invalid = check.onlyKeys(body, ['long_token', 'scopes']);
			if (invalid) return this.invalid(invalid);
			if (body.scopes !== undefined) {
				const wanted = body.scopes as string[];
				const extra = wanted.filter((scope) => !longToken.scopes.includes(scope));
				if (extra.length) return this.server.error(400, `Scopes not granted to the long-term token: ${extra.join(', ')}`, 'invalid_scope');
				scopes = wanted;
			}
		}
		return this.answer(this.mint('short', longToken.clientId, scopes, SHORT_LIFETIME_SECONDS), true);
	}

	private revoke(request: RecordedRequest, tokenId: string): MockResponse {
		const caller = this.bearerToken(request);
		if (!caller) return this.server.error(401, 'The access token is invalid, expired or revoked', 'invalid_token');
		// 403 is not listed for this operation; it is the spec's code for a missing scope.
		if (!caller.scopes.includes('tokens:revoke')) {
			return this.server.error(403, 'The token lacks the tokens:revoke scope', 'insufficient_scope');
		}
		if (request.rawBody !== '') return this.invalid('This call takes no body');
		const target = [...this.tokens.values()].find((token) => token.id === tokenId);
		if (!target) return this.server.error(404, `Token ${tokenId} was not found`, 'not_found');
		target.revoked = true;
		return { status: 204 };
	}
}
