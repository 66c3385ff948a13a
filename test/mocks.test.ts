/**
 * The mocks are only worth the spec they enforce: each is shown here, with a raw HTTP client,
 * to refuse what the real API refuses (method, path, content type, auth, missing and
 * forbidden fields) in the provider's own error shape, and to send the documented headers.
 */
import got, { type OptionsOfTextResponseBody } from 'got';

import {
	CLOUD_API_KEY,
	ConfluentMock,
	IDENTITY_POOL_ID,
	SHARE_TOKEN,
} from '../scripts/mock/confluent.ts';
import { IDP_CLIENT, IdentityProviderMock } from '../scripts/mock/identityProvider.ts';
import { C2M_CLIENT, C2mMock } from '../scripts/mock/c2m.ts';
import { KNETIK_ADMIN_CLIENT, KNETIK_PLAIN_CLIENT, KnetikMock } from '../scripts/mock/knetik.ts';
import { RUNAI_CLIENT, RunAiMock } from '../scripts/mock/runai.ts';
import type { MockServer } from '../scripts/mock/server.ts';

const confluent = new ConfluentMock();
const idp = new IdentityProviderMock();
confluent.trustsSubjectToken = (token) => idp.issuedToken(token);
const runai = new RunAiMock();
const knetik = new KnetikMock();
const c2m = new C2mMock();
const mocks = [confluent.server, idp.server, runai.server, knetik.server, c2m.server];

beforeAll(async () => {
	await Promise.all(mocks.map((mock) => mock.start()));
});
afterAll(async () => {
	await Promise.all(mocks.map((mock) => mock.stop()));
});

async function call(server: MockServer, path: string, options: OptionsOfTextResponseBody = {}) {
	const response = await got(`${server.url}${path}`, { throwHttpErrors: false, retry: { limit: 0 }, ...options });
	return {
		status: response.statusCode,
		headers: response.headers,
		body: response.body ? JSON.parse(response.body) : undefined,
	};
}

describe('Confluent Cloud mock', () => {
	const basic = `Basic ${Buffer.from(`${CLOUD_API_KEY.key}:${CLOUD_API_KEY.secret}`).toString('base64')}`;
	const redeem = (options: OptionsOfTextResponseBody) =>
		call(confluent.server, '/cdx/v1/shared-tokens:redeem', {
			method: 'POST',
			headers: { authorization: basic },
			...options,
		});
	const detail = (body: { errors: Array<{ detail: string }> }) => body.errors[0].detail;

	test('accepts a well-formed call', async () => {
		const response = await call(confluent.server, '/cdx/v1/shared-tokens:resources', {
			method: 'POST',
			headers: { authorization: basic },
			json: { token: SHARE_TOKEN },
		});
		expect(response.status).toBe(200);
		expect(response.headers['x-request-id']).toMatch(/^req_/);
	});

	test('refuses a wrong method and an unknown path', async () => {
		expect((await call(confluent.server, '/cdx/v1/shared-tokens:redeem', { headers: { authorization: basic } })).status).toBe(405);
		expect((await call(confluent.server, '/cdx/v1/shared-tokens:burn', { method: 'POST' })).status).toBe(404);
	});

	test('refuses missing or wrong credentials with the Basic challenge', async () => {
		const response = await redeem({ headers: {}, json: { token: SHARE_TOKEN } });
		expect(response.status).toBe(401);
		expect(response.headers['www-authenticate']).toMatch(/^Basic error="invalid_key"/);
		expect(detail(response.body)).toBe('The API Key is invalid');
		expect(response.body.errors[0]).toEqual(
			expect.objectContaining({ status: '401', code: 'invalid_key', title: 'Unauthorized' }),
		);
	});

	test('refuses a body that is not JSON, lacks the token, or carries read-only fields', async () => {
		const form = await redeem({ form: { token: SHARE_TOKEN } });
		expect(form.status).toBe(400);
		expect(detail(form.body)).toMatch(/Content-Type must be application\/json/);
		const missing = await redeem({ json: { aws_account: '000000000000' } });
		expect(detail(missing.body)).toBe('Missing required field(s): token');
		const readOnly = await redeem({ json: { token: SHARE_TOKEN, kind: 'RedeemTokenRequest' } });
		expect(detail(readOnly.body)).toBe('Unexpected field(s): kind');
		const wrongOperation = await call(confluent.server, '/cdx/v1/shared-tokens:resources', {
			method: 'POST',
			headers: { authorization: basic },
			json: { token: SHARE_TOKEN, aws_account: '000000000000' },
		});
		expect(detail(wrongOperation.body)).toBe('Unexpected field(s): aws_account');
	});

	test('rate limits with the documented headers and no body', async () => {
		const limited = new ConfluentMock();
		limited.rateLimit = { limit: 1, resetSeconds: 42 };
		await limited.server.start();
		try {
			const options = { method: 'POST' as const, headers: { authorization: basic }, json: { token: SHARE_TOKEN } };
			expect((await call(limited.server, '/cdx/v1/shared-tokens:resources', options)).status).toBe(200);
			const second = await call(limited.server, '/cdx/v1/shared-tokens:resources', options);
			expect(second.status).toBe(429);
			expect(second.body).toBeUndefined();
			expect(second.headers).toEqual(
				expect.objectContaining({ 'retry-after': '42', 'x-ratelimit-reset': '42', 'x-ratelimit-limit': '1' }),
			);
		} finally {
			await limited.server.stop();
		}
	});

	test('the token exchange takes only the RFC 8693 form with its fixed values', async () => {
		const jwt = (
			await got
				.post(`${idp.server.url}/oauth2/token`, {
					form: { grant_type: 'client_credentials' },
					username: IDP_CLIENT.id,
					password: IDP_CLIENT.secret,
				})
				.json<{ access_token: string }>()
		).access_token;
		const form = {
			grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
			subject_token: jwt,
			identity_pool_id: IDENTITY_POOL_ID,
			subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
			requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
		};
		const exchange = (options: OptionsOfTextResponseBody) =>
			call(confluent.server, '/sts/v1/oauth2/token', { method: 'POST', ...options });

		expect((await exchange({ form })).status).toBe(200);
		expect(detail((await exchange({ json: form })).body)).toMatch(/x-www-form-urlencoded/);
		expect(detail((await exchange({ form: { ...form, subject_token_type: 'jwt' } })).body)).toBe(
			'subject_token_type must be urn:ietf:params:oauth:token-type:jwt',
		);
		expect(detail((await exchange({ form: { ...form, expires_in: 901 } })).body)).toMatch(/at most 900/);
		expect(detail((await exchange({ form: { ...form, kind: 'TokenExchangeRequest' } })).body)).toBe(
			'Unexpected field(s): kind',
		);
		expect(detail((await exchange({ form: { ...form, subject_token: 'forged' } })).body)).toMatch(
			/not a valid JWT/,
		);
	});
});

describe('identity provider mock', () => {
	test('answers RFC 6749 errors for a wrong grant or client', async () => {
		const wrongGrant = await call(idp.server, '/oauth2/token', { method: 'POST', form: { grant_type: 'password' } });
		expect(wrongGrant).toEqual(
			expect.objectContaining({ status: 400, body: { error: 'unsupported_grant_type', error_description: 'Unsupported grant type "password"' } }),
		);
		const wrongClient = await call(idp.server, '/oauth2/token', {
			method: 'POST',
			form: { grant_type: 'client_credentials', client_id: IDP_CLIENT.id, client_secret: 'nope' },
		});
		expect(wrongClient.status).toBe(401);
		expect(wrongClient.body.error).toBe('invalid_client');
	});
});

describe('Run:ai mock', () => {
	const token = (json: Record<string, unknown>, options: OptionsOfTextResponseBody = {}) =>
		call(runai.server, '/api/v1/token', { method: 'POST', json, ...options });
	const grant = { grantType: 'client_credentials', clientID: RUNAI_CLIENT.id, clientSecret: RUNAI_CLIENT.secret };

	test('issues camelCase tokens for a well-formed grant', async () => {
		const response = await token(grant);
		expect(response.status).toBe(200);
		expect(Object.keys(response.body).sort()).toEqual(['accessToken', 'expiresIn', 'idToken', 'refreshToken']);
	});

	test('refuses snake_case keys, a missing field, an unknown grant and a form body', async () => {
		expect((await token({ ...grant, clientID: undefined, client_id: RUNAI_CLIENT.id })).body).toEqual({
			code: 400,
			message: 'Bad request',
			details: 'Unexpected field(s): client_id',
		});
		expect((await token({ grantType: 'password', username: 'ada' })).body.details).toBe(
			'Missing required field(s): password',
		);
		expect((await token({ grantType: 'implicit' })).body.details).toBe('unsupported grantType "implicit"');
		const form = await call(runai.server, '/api/v1/token', { method: 'POST', form: grant });
		expect(form.body.details).toMatch(/Content-Type must be application\/json/);
	});

	test('legacy endpoints take their parameters in the query, and are gone on 2.20+', async () => {
		const withBody = await call(runai.server, '/v1/k8s/auth/oauth/tokens/refresh?refresh_token=x', {
			method: 'POST',
			json: { refresh_token: 'x' },
		});
		expect(withBody.body.details).toBe('this endpoint takes no body');
		const missing = await call(runai.server, '/v1/k8s/auth/token/exchange?code=abc');
		expect(missing.body).toEqual({ code: 400, message: 'Required parameter is missing', details: 'redirect_uri' });

		runai.legacyEndpoints = false;
		try {
			expect((await call(runai.server, '/v1/k8s/auth/token/exchange?code=a&redirect_uri=b')).status).toBe(404);
		} finally {
			runai.legacyEndpoints = true;
		}
	});

	test('the clusters list wants a valid Bearer token', async () => {
		expect((await call(runai.server, '/api/v1/clusters')).status).toBe(401);
		const { accessToken } = (await token(grant)).body;
		const listed = await call(runai.server, '/api/v1/clusters', { headers: { authorization: `Bearer ${accessToken}` } });
		expect(listed.status).toBe(200);
	});
});

describe('Knetik mock', () => {
	async function bearer(client = KNETIK_ADMIN_CLIENT) {
		const issued = await call(knetik.server, '/oauth/token', {
			method: 'POST',
			form: { grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret },
		});
		return { authorization: `Bearer ${issued.body.access_token}` };
	}

	test('the token endpoint takes a form and answers RFC 6749 errors', async () => {
		const json = await call(knetik.server, '/oauth/token', {
			method: 'POST',
			json: { grant_type: 'client_credentials', client_id: KNETIK_ADMIN_CLIENT.id, client_secret: KNETIK_ADMIN_CLIENT.secret },
		});
		expect(json.body.error).toBe('invalid_request');
		const wrong = await call(knetik.server, '/oauth/token', {
			method: 'POST',
			form: { grant_type: 'client_credentials', client_id: KNETIK_ADMIN_CLIENT.id, client_secret: 'no' },
		});
		expect(wrong).toEqual(expect.objectContaining({ status: 401, body: { error: 'invalid_client', error_description: 'Bad client credentials' } }));
		const issued = await call(knetik.server, '/oauth/token', {
			method: 'POST',
			form: { grant_type: 'client_credentials', client_id: KNETIK_ADMIN_CLIENT.id, client_secret: KNETIK_ADMIN_CLIENT.secret },
		});
		expect(issued.body.expires_in).toBe('3599');
	});

	test('admin calls want a valid bearer token with TOKENS_ADMIN', async () => {
		const anonymous = await call(knetik.server, '/auth/tokens');
		expect(anonymous.status).toBe(401);
		expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer/);
		const plain = await call(knetik.server, '/auth/tokens', { headers: await bearer(KNETIK_PLAIN_CLIENT) });
		expect(plain.status).toBe(403);
		expect(plain.body.result[0].message).toBe('Permission TOKENS_ADMIN required');
		expect(plain.body.request_id).toMatch(/^kreq_/);
	});

	test('the list refuses unknown parameters, page 0 and unknown sort properties, and pages from 1', async () => {
		const headers = await bearer();
		expect((await call(knetik.server, '/auth/tokens?limit=5', { headers })).body.result[0].message).toBe('Unknown parameter(s): limit');
		expect((await call(knetik.server, '/auth/tokens?page=0', { headers })).body.result[0]).toEqual(
			expect.objectContaining({ field: 'page', message: 'pages start at 1' }),
		);
		expect((await call(knetik.server, '/auth/tokens?order=name:ASC', { headers })).status).toBe(400);
		const last = await call(knetik.server, '/auth/tokens?page=3&size=100', { headers });
		expect(last.body).toEqual(expect.objectContaining({ last: true, number_of_elements: 30, total_elements: 230, total_pages: 3 }));
		expect(last.body.content[0].token).toBeNull();
	});

	test('delete needs a username or a client ID, and takes no body', async () => {
		const headers = await bearer();
		expect((await call(knetik.server, '/auth/tokens', { method: 'DELETE', headers })).status).toBe(400);
		expect((await call(knetik.server, '/auth/tokens?username=bob', { method: 'DELETE', headers, json: {} })).status).toBe(400);
		expect((await call(knetik.server, '/auth/tokens?username=nobody', { method: 'DELETE', headers })).status).toBe(204);
	});
});

describe('C2M mock', () => {
	const long = (json: Record<string, unknown> | undefined, headers: Record<string, string> = { 'x-client-id': C2M_CLIENT.id }) =>
		call(c2m.server, '/auth/tokens/long', { method: 'POST', headers, json });
	const proof = { grant_type: 'client_credentials', client_id: C2M_CLIENT.id, client_secret: C2M_CLIENT.secret };

	test('issues with 201 and X-Token-Id for a client key and a proven client', async () => {
		const issued = await long(proof);
		expect(issued.status).toBe(201);
		expect(issued.headers['x-token-id']).toBe(issued.body.token_id);
	});

	test('refuses extra fields (additionalProperties: false), ttl out of range, and no auth', async () => {
		expect((await long({ ...proof, reason: 'rotation' })).body).toEqual({ code: 'invalid_request', message: 'Unexpected field(s): reason' });
		expect((await long({ ...proof, ttl_seconds: 60 })).body.message).toMatch(/3600 to 7776000/);
		expect((await long(proof, {})).status).toBe(401);
		expect((await long({ ...proof, client_id: 'someone-else' })).body.message).toBe('client_id does not match X-Client-Id');
	});

	test('short-term tokens want the long-term token as Bearer; revoke wants tokens:revoke', async () => {
		const longToken = c2m.longTermToken();
		expect((await call(c2m.server, '/auth/tokens/short', { method: 'POST' })).status).toBe(401);
		const short = await call(c2m.server, '/auth/tokens/short', { method: 'POST', headers: { authorization: `Bearer ${longToken}` } });
		expect(short.status).toBe(201);
		expect((await call(c2m.server, '/auth/tokens/short', { method: 'POST', headers: { authorization: `Bearer ${short.body.access_token}` } })).status).toBe(401);
		const narrow = c2m.longTermToken(['jobs:submit']);
		const denied = await call(c2m.server, `/auth/tokens/${short.body.token_id}/revoke`, { method: 'POST', headers: { authorization: `Bearer ${narrow}` } });
		expect(denied.body).toEqual({ code: 'insufficient_scope', message: 'The token lacks the tokens:revoke scope' });
	});
});
