/**
 * A Knetik Cloud app as api-reference/knetik.md describes it: the OAuth2 token endpoint
 * (client credentials and password grants, form-encoded) and the three TOKENS_ADMIN calls
 * over the tokens the platform stores. Where the page says "not found", the mock decides:
 * 4xx bodies are the spec's `Result`; a rejected bearer token gets Spring OAuth2's
 * `{ error, error_description }`; deleting with neither username nor client_id is a 400;
 * deleting what does not exist is still a 204.
 */
import { check, mintToken, MockServer, type MockResponse, type RecordedRequest } from './server.ts';

export const KNETIK_ADMIN_CLIENT = { id: 'n8n-admin-client', secret: 'knetik-admin-secret-value' };
/** A client without TOKENS_ADMIN. */
export const KNETIK_PLAIN_CLIENT = { id: 'n8n-plain-client', secret: 'knetik-plain-secret-value' };
export const KNETIK_PUBLIC_CLIENT = 'web';
export const KNETIK_ADMIN_USER = { username: 'admin@example.com', password: 'knetik-admin-password' };

export interface StoredToken {
	username: string;
	client_id: string;
	token: string;
}

const ORDERABLE = ['username', 'client_id'];
const LIST_PARAMETERS = ['filter_client_id', 'filter_username', 'size', 'page', 'order'];

export function knetikErrorBody(status: number, message: string, field?: string) {
	return { code: status, request_id: mintToken('kreq'), result: [{ details: {}, field: field ?? null, message }] };
}

/** 230 tokens: 160 of ada over four clients, 69 of bob, and one whose names need URL encoding. */
export function seedTokens(): StoredToken[] {
	const tokens: StoredToken[] = [];
	for (let i = 0; i < 160; i++) {
		tokens.push({ username: 'ada', client_id: `client-${i % 4}`, token: `stored-ada-${i}` });
	}
	for (let i = 0; i < 69; i++) tokens.push({ username: 'bob', client_id: 'web', token: `stored-bob-${i}` });
	tokens.push({ username: 'eve/../a?b#c %d', client_id: 'app/1?x#y %z', token: 'stored-odd' });
	return tokens;
}

export class KnetikMock {
	readonly server: MockServer;

	/** The tokens the admin calls list, read and delete. */
	stored: StoredToken[] = seedTokens();

	/** Knetik types `expires_in` as a string; its README sample sends a number. */
	expiresInAsString = true;

	/** The `expires_in` the token endpoint sends, where a test sets one (an edge of a token's life). */
	issuedLifetime: unknown = undefined;

	/** The largest page the list serves, whatever size is asked (Knetik documents none: a server may cap it). */
	maxPageSize = Infinity;

	private readonly clients = new Map<string, { secret?: string; admin: boolean }>([
		[KNETIK_ADMIN_CLIENT.id, { secret: KNETIK_ADMIN_CLIENT.secret, admin: true }],
		[KNETIK_PLAIN_CLIENT.id, { secret: KNETIK_PLAIN_CLIENT.secret, admin: false }],
		[KNETIK_PUBLIC_CLIENT, { admin: false }],
	]);

	private readonly users = new Map([[KNETIK_ADMIN_USER.username, { password: KNETIK_ADMIN_USER.password, admin: true }]]);

	/** Bearer tokens issued by /oauth/token: whether they carry TOKENS_ADMIN, and until when. */
	private readonly bearerTokens = new Map<string, { admin: boolean; validUntil: number }>();

	constructor() {
		this.server = new MockServer({
			name: 'Knetik Cloud',
			errorBody: (status, message) => knetikErrorBody(status, message),
			routes: [
				{ method: 'POST', path: '/oauth/token', handler: (r) => this.issue(r) },
				{ method: 'GET', path: '/auth/tokens', handler: (r) => this.admin(r, () => this.list(r)) },
				{ method: 'DELETE', path: '/auth/tokens', handler: (r) => this.admin(r, () => this.delete(r)) },
				{ method: 'GET', path: '/auth/tokens/:username/:clientId', handler: (r, p) => this.admin(r, () => this.get(p)) },
			],
		});
	}

	/**
	 * Registers another admin client. Credentials share tokens across a process by client ID
	 * and secret, so a test that counts token requests starts from a client of its own.
	 */
	addAdminClient(): { id: string; secret: string } {
		const client = { id: mintToken('client'), secret: mintToken('secret') };
		this.clients.set(client.id, { secret: client.secret, admin: true });
		return client;
	}

	/** Registers another admin user, for the same reason. */
	addAdminUser(): { username: string; password: string } {
		const user = { username: `${mintToken('user')}@example.com`, password: mintToken('password') };
		this.users.set(user.username, { password: user.password, admin: true });
		return user;
	}

	/** Makes every bearer token issued so far expire now. */
	expireBearerTokens(): void {
		for (const token of this.bearerTokens.values()) token.validUntil = 0;
	}

	private oauthError(status: number, error: string, description: string): MockResponse {
		return { status, body: { error, error_description: description } };
	}

	private issue(request: RecordedRequest): MockResponse {
		const badType = check.contentType(request, 'application/x-www-form-urlencoded');
		if (badType) return this.oauthError(400, 'invalid_request', badType);
		const form = request.body as Record<string, string>;
		const basic = check.basic(request);
		const clientId = form.client_id ?? basic?.username;
		const clientSecret = form.client_secret ?? basic?.password;
		const client = clientId ? this.clients.get(clientId) : undefined;
		if (!client || (client.secret !== undefined && client.secret !== clientSecret)) {
			return this.oauthError(401, 'invalid_client', 'Bad client credentials');
		}
		let admin: boolean;
		if (form.grant_type === 'client_credentials') {
			if (client.secret === undefined) return this.oauthError(400, 'unauthorized_client', 'A public client cannot use client_credentials');
			admin = client.admin;
		} else if (form.grant_type === 'password') {
			const user = this.users.get(form.username);
			if (user?.password !== form.password) return this.oauthError(400, 'invalid_grant', 'Bad credentials');
			admin = user.admin;
		} else {
			return this.oauthError(400, 'unsupported_grant_type', `Unsupported grant type: ${form.grant_type}`);
		}
		const accessToken = mintToken('knetik');
		this.bearerTokens.set(accessToken, { admin, validUntil: Date.now() + 3600_000 });
		return {
			status: 200,
			body: {
				access_token: accessToken,
				token_type: 'bearer',
				expires_in: this.issuedLifetime ?? (this.expiresInAsString ? '3599' : 3599),
				refresh_token: mintToken('knetik_refresh'),
				scope: 'write read',
			},
		};
	}

	/** Every admin call: a valid bearer token, then TOKENS_ADMIN. */
	private admin(request: RecordedRequest, handle: () => MockResponse): MockResponse {
		const bearer = check.bearer(request);
		const token = bearer ? this.bearerTokens.get(bearer) : undefined;
		if (!token || token.validUntil < Date.now()) {
			return {
				...this.oauthError(401, 'invalid_token', bearer ? 'Access token expired or invalid' : 'Full authentication is required'),
				headers: { 'www-authenticate': 'Bearer realm="knetik", error="invalid_token"' },
			};
		}
		if (!token.admin) return this.server.error(403, 'Permission TOKENS_ADMIN required', 'forbidden');
		if (request.rawBody !== '') return this.server.error(400, 'This call takes no body', 'invalid_request');
		return handle();
	}

	private list(request: RecordedRequest): MockResponse {
		const unknown = [...request.query.keys()].filter((name) => !LIST_PARAMETERS.includes(name));
		if (unknown.length) return this.server.error(400, `Unknown parameter(s): ${unknown.join(', ')}`, 'invalid_request');
		const asked = Number(request.query.get('size') ?? 25);
		const size = Math.min(asked, this.maxPageSize);
		const page = Number(request.query.get('page') ?? 1);
		if (!Number.isInteger(asked) || asked < 1) return { status: 400, body: knetikErrorBody(400, 'must be a positive integer', 'size') };
		if (!Number.isInteger(page) || page < 1) return { status: 400, body: knetikErrorBody(400, 'pages start at 1', 'page') };

		const orders = (request.query.get('order') ?? '').split(',').filter(Boolean).map((entry) => entry.split(':'));
		for (const [property, direction] of orders) {
			if (!ORDERABLE.includes(property) || !['ASC', 'DESC'].includes(direction)) {
				return { status: 400, body: knetikErrorBody(400, `Invalid sort "${property}:${direction}"`, 'order') };
			}
		}
		const filterClient = request.query.get('filter_client_id');
		const filterUser = request.query.get('filter_username');
		const matching = this.stored
			.filter((token) => (filterClient === null || token.client_id === filterClient) && (filterUser === null || token.username === filterUser))
			.sort((a, b) => {
				for (const [property, direction] of orders) {
					const key = property as keyof StoredToken;
					const compared = a[key].localeCompare(b[key]);
					if (compared !== 0) return direction === 'DESC' ? -compared : compared;
				}
				return 0;
			});
		const totalPages = Math.max(1, Math.ceil(matching.length / size));
		// The list leaves the token value out (knetik.md, Operation 3).
		const content = matching.slice((page - 1) * size, page * size).map(({ username, client_id }) => ({ username, client_id, token: null }));
		return {
			status: 200,
			body: {
				content,
				first: page === 1,
				last: page >= totalPages,
				number: page - 1,
				number_of_elements: content.length,
				size,
				sort: orders.map(([property, direction]) => ({
					property,
					direction,
					ascending: direction === 'ASC',
					descending: direction === 'DESC',
					ignore_case: false,
					null_handling: 'NATIVE',
				})),
				total_elements: matching.length,
				total_pages: totalPages,
			},
		};
	}

	private get(params: Record<string, string>): MockResponse {
		const found = this.stored.find((token) => token.username === params.username && token.client_id === params.clientId);
		return found ? { status: 200, body: found } : this.server.error(404, 'Token not found', 'not_found');
	}

	private delete(request: RecordedRequest): MockResponse {
		const unknown = [...request.query.keys()].filter((name) => !['username', 'client_id'].includes(name));
		if (unknown.length) return this.server.error(400, `Unknown parameter(s): ${unknown.join(', ')}`, 'invalid_request');
		const username = request.query.get('username');
		const clientId = request.query.get('client_id');
		if (!username && !clientId) return this.server.error(400, 'username or client_id is required', 'invalid_request');
		this.stored = this.stored.filter(
			(token) => !((username === null || token.username === username) && (clientId === null || token.client_id === clientId)),
		);
		return { status: 204 };
	}
}
