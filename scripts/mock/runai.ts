/**
 * A Run:ai control plane as api-reference/runai.md describes it: `POST /api/v1/token` with
 * every grant type (JSON, camelCase keys), the three legacy /v1/k8s/auth endpoints (present up
 * to 2.19; set `legacyEndpoints = false` to play a 2.20+ control plane), and `GET
 * /api/v1/clusters` for credential tests. Errors are `{ code, message, details }`.
 */
import { check, mintToken, MockServer, type MockResponse, type RecordedRequest } from './server.ts';

export const RUNAI_CLIENT = { id: 'n8n-runai-app', secret: 'runai-client-secret-value' };
export const RUNAI_APP = { id: 'app-1234', name: 'n8n-app', secret: 'runai-app-secret-value' };
export const RUNAI_USER = { username: 'ada@example.com', password: 'runai-user-password' };
export const RUNAI_AUTH_CODE = 'runai-auth-code-xyz';
export const RUNAI_REDIRECT_URI = 'https://n8n.example.com/callback';
export const RUNAI_EXTERNAL_TOKEN = 'external-idp-access-token';

const TOKEN_REQUEST_KEYS = [
	'grantType',
	'appID',
	'appSecret',
	'code',
	'redirectUri',
	'refreshToken',
	'username',
	'password',
	'clientID',
	'clientSecret',
	'externalToken',
];

/** The fields each grant needs (runai-latest.openapi.yaml request examples; password: runai.md). */
const GRANT_FIELDS: Record<string, string[]> = {
	client_credentials: ['clientID', 'clientSecret'],
	refresh_token: ['refreshToken', 'clientID'],
	exchange_token: ['code', 'clientID', 'redirectUri'],
	password: ['username', 'password'],
	external_token_exchange: ['externalToken'],
	app_token: ['appID', 'appSecret'],
};

export function runAiErrorBody(status: number, message: string, details?: string) {
	return details ? { code: status, message, details } : { code: status, message };
}

export class RunAiMock {
	readonly server: MockServer;

	/** false: a 2.20+ control plane, where the /v1/k8s/auth endpoints are gone. */
	legacyEndpoints = true;

	/** Applications allowed the client credentials grant: client ID to secret. */
	private readonly clients = new Map([[RUNAI_CLIENT.id, RUNAI_CLIENT.secret]]);
	/** Applications of control planes before 2.20, for the app_token grant. */
	private readonly applications = new Map([[RUNAI_APP.id, RUNAI_APP.secret]]);

	/** Access tokens issued, with their expiry time (epoch ms). */
	private readonly accessTokens = new Map<string, number>();

	private readonly refreshTokens = new Set<string>();

	constructor() {
		this.server = new MockServer({
			name: 'Run:ai',
			errorBody: (status, message) => runAiErrorBody(status, message),
			routes: [
				{ method: 'POST', path: '/api/v1/token', handler: (r) => this.grant(r) },
				{ method: 'POST', path: '/v1/k8s/auth/oauth/apptoken', handler: (r) => this.legacy(r, () => this.appToken(r)) },
				{ method: 'GET', path: '/v1/k8s/auth/token/exchange', handler: (r) => this.legacy(r, () => this.exchangeCode(r)) },
				{ method: 'POST', path: '/v1/k8s/auth/oauth/tokens/refresh', handler: (r) => this.legacy(r, () => this.refresh(r)) },
				{ method: 'GET', path: '/api/v1/clusters', handler: (r) => this.clusters(r) },
			],
		});
	}

	/**
	 * Registers another application. Credentials share tokens across a process by client ID
	 * and secret, so a test that counts token requests starts from a client of its own.
	 */
	addClient(): { id: string; secret: string } {
		const client = { id: mintToken('client'), secret: mintToken('secret') };
		this.clients.set(client.id, client.secret);
		return client;
	}

	/** The same for an application of a control plane before 2.20 (the app_token grant). */
	addApplication(): { id: string; secret: string } {
		const application = { id: mintToken('app'), secret: mintToken('secret') };
		this.applications.set(application.id, application.secret);
		return application;
	}

	/** Makes every access token issued so far expire now. */
	expireAccessTokens(): void {
		for (const token of this.accessTokens.keys()) this.accessTokens.set(token, 0);
	}

	/** Tokens as Run:ai's TokenResponse spells them (Dec 2025 spec: with expiresIn). */
	private issueTokens(lifetimeSeconds = 3600) {
		const accessToken = mintToken('runai_at');
		const refreshToken = mintToken('runai_rt');
		this.accessTokens.set(accessToken, Date.now() + lifetimeSeconds * 1000);
		this.refreshTokens.add(refreshToken);
		return { accessToken, idToken: mintToken('runai_id'), refreshToken, expiresIn: lifetimeSeconds };
	}

	private badRequest(message: string, details?: string): MockResponse {
		return { status: 400, body: runAiErrorBody(400, message, details) };
	}

	/** A refusal when the body is not a JSON object, else undefined. */
	private refuseNonJson(request: RecordedRequest): MockResponse | undefined {
		const invalid = check.contentType(request, 'application/json') ?? check.jsonObject(request);
		return invalid ? this.badRequest('Bad request', invalid) : undefined;
	}

	private grant(request: RecordedRequest): MockResponse {
		const refused = this.refuseNonJson(request);
		if (refused) return refused;
		const body = request.body as Record<string, unknown>;
		const unknown = check.onlyKeys(body, TOKEN_REQUEST_KEYS);
		if (unknown) return this.badRequest('Bad request', unknown);
		const grantType = String(body.grantType ?? '');
		const fields = GRANT_FIELDS[grantType];
		if (!fields) return this.badRequest('Required parameter is missing', `unsupported grantType "${grantType}"`);
		const missing = check.requiredStrings(body, fields);
		if (missing) return this.badRequest('Required parameter is missing', missing);

		const accepted: Record<string, boolean> = {
			client_credentials: this.clients.get(String(body.clientID)) === body.clientSecret,
			refresh_token: body.clientID === RUNAI_CLIENT.id && this.refreshTokens.has(String(body.refreshToken)),
			exchange_token:
				body.clientID === RUNAI_CLIENT.id && body.code === RUNAI_AUTH_CODE && body.redirectUri === RUNAI_REDIRECT_URI,
			password: body.username === RUNAI_USER.username && body.password === RUNAI_USER.password,
			external_token_exchange: body.externalToken === RUNAI_EXTERNAL_TOKEN,
			app_token: this.applications.get(String(body.appID)) === body.appSecret,
		};
		if (!accepted[grantType]) return this.badRequest('Invalid credentials', `the ${grantType} grant was refused`);
		if (grantType === 'refresh_token') this.refreshTokens.delete(String(body.refreshToken));
		return { status: 200, body: this.issueTokens() };
	}

	private legacy(request: RecordedRequest, handle: () => MockResponse): MockResponse {
		return this.legacyEndpoints
			? handle()
			: { status: 404, body: runAiErrorBody(404, `Not found: ${request.method} ${request.rawPath}`) };
	}

	private appToken(request: RecordedRequest): MockResponse {
		const refused = this.refuseNonJson(request);
		if (refused) return refused;
		const body = request.body as Record<string, unknown>;
		const invalid = check.requiredStrings(body, ['id', 'name', 'secret']) ?? check.onlyKeys(body, ['id', 'name', 'secret']);
		if (invalid) return this.badRequest('Required parameter is missing', invalid);
		if (body.id !== RUNAI_APP.id || body.name !== RUNAI_APP.name || body.secret !== RUNAI_APP.secret) {
			return this.badRequest('Invalid credentials', 'unknown application or wrong secret');
		}
		const { accessToken, idToken } = this.issueTokens();
		return { status: 200, body: { access_token: accessToken, id_token: idToken } };
	}

	private queryOnly(request: RecordedRequest, required: string[]): MockResponse | undefined {
		if (request.rawBody !== '') return this.badRequest('Bad request', 'this endpoint takes no body');
		const missing = required.filter((name) => !request.query.get(name));
		if (missing.length) return this.badRequest('Required parameter is missing', missing.join(', '));
		const unknown = [...request.query.keys()].filter((name) => !required.includes(name));
		return unknown.length ? this.badRequest('Bad request', `unknown parameter(s): ${unknown.join(', ')}`) : undefined;
	}

	private exchangeCode(request: RecordedRequest): MockResponse {
		const invalid = this.queryOnly(request, ['redirect_uri', 'code']);
		if (invalid) return invalid;
		if (request.query.get('code') !== RUNAI_AUTH_CODE || request.query.get('redirect_uri') !== RUNAI_REDIRECT_URI) {
			return this.badRequest('Invalid authorization code');
		}
		const { accessToken, idToken, refreshToken } = this.issueTokens();
		return { status: 200, body: { accessToken, idToken, refreshToken } };
	}

	private refresh(request: RecordedRequest): MockResponse {
		const invalid = this.queryOnly(request, ['refresh_token']);
		if (invalid) return invalid;
		const token = String(request.query.get('refresh_token'));
		if (!this.refreshTokens.has(token)) return this.badRequest('Invalid refresh token');
		this.refreshTokens.delete(token);
		const { accessToken, idToken, refreshToken } = this.issueTokens();
		return { status: 200, body: { accessToken, idToken, refreshToken } };
	}

	private clusters(request: RecordedRequest): MockResponse {
		const bearer = check.bearer(request);
		const validUntil = bearer ? this.accessTokens.get(bearer) : undefined;
		if (validUntil === undefined || validUntil < Date.now()) {
			return { status: 401, body: runAiErrorBody(401, 'Unauthorized', 'invalid or expired access token') };
		}
		return {
			status: 200,
			body: [{ uuid: '9f55255e-11ed-47c7-acef-fc4054768dbc', name: 'gpu-cluster', version: '2.20' }],
		};
	}
}
