import { C2mClientKeyApi } from '../credentials/C2mClientKeyApi.credentials';
import { C2mLongTermTokenApi } from '../credentials/C2mLongTermTokenApi.credentials';
import { C2mShortTermTokenApi } from '../credentials/C2mShortTermTokenApi.credentials';
import { C2m } from '../nodes/C2m/C2m.node';
import { N8nHarness, type RunOptions } from './harness/n8n.ts';
import { C2M_ASSERTION, C2M_CLIENT, C2mMock } from '../scripts/mock/c2m.ts';
import { errorOf, everythingShown, isoInstantIn, storedToken } from './support.ts';

const c2m = new C2mMock();
const clientKeyType = new C2mClientKeyApi();
const longTermType = new C2mLongTermTokenApi();
const shortTermType = new C2mShortTermTokenApi();
let n8n: N8nHarness;

beforeAll(async () => {
	await c2m.server.start();
});
afterAll(async () => {
	await c2m.server.stop();
});
beforeEach(() => {
	n8n = new N8nHarness([new C2m()], [clientKeyType, longTermType, shortTermType]);
	c2m.server.clearRequests();
	c2m.tokenIdInBody = true;
});

const clientKey = (client: { id: string; secret: string } = C2M_CLIENT) =>
	n8n.addCredential('c2mClientKeyApi', { clientId: client.id, clientSecret: client.secret, baseUrl: `${c2m.server.url}/` });
const longTerm = (token = c2m.longTermToken()) =>
	n8n.addCredential('c2mLongTermTokenApi', { longTermToken: token, baseUrl: c2m.server.url });
/** An automatic credential on a long-term token of its own, so no other test's token is shared with it. */
const shortTerm = (overrides: Record<string, unknown> = {}) =>
	n8n.addCredential('c2mShortTermTokenApi', {
		longTermToken: c2m.longTermToken(undefined, c2m.addClient().id),
		baseUrl: c2m.server.url,
		...overrides,
	});

function issueLongTerm(parameters: Record<string, unknown> = {}, credential = clientKey()): RunOptions {
	return {
		node: 'c2m',
		parameters: { resource: 'token', operation: 'issueLongTerm', authentication: 'clientKey', ...parameters },
		credentials: { c2mClientKeyApi: credential },
	};
}

const lastRequest = () => c2m.server.requests.at(-1)!;

describe('Token: Issue Long-Term', () => {
	test('client credentials with the credential’s secret: X-Client-Id header, only the set fields, 201', async () => {
		const result = await n8n.run(
			issueLongTerm({ additionalFields: { scopes: ['jobs:submit', 'templates:read'], ttlSeconds: 7_776_000 } }),
		);

		expect(result.error).toBeUndefined();
		const sent = lastRequest();
		expect(sent.rawPath).toBe('/auth/tokens/long');
		expect(sent.headers['x-client-id']).toBe(C2M_CLIENT.id);
		expect(sent.headers.authorization).toBeUndefined();
		expect(sent.body).toEqual({
			grant_type: 'client_credentials',
			client_id: C2M_CLIENT.id,
			client_secret: C2M_CLIENT.secret,
			scopes: ['jobs:submit', 'templates:read'],
			ttl_seconds: 7_776_000,
		});
		expect(sent.response?.status).toBe(201);
		expect(result.items).toEqual([
			{
				json: {
					token_type: 'Bearer',
					access_token: expect.stringMatching(/^lt_/),
					expires_in: 7_776_000,
					expires_at: isoInstantIn(7_776_000),
					scopes: ['jobs:submit', 'templates:read'],
					token_id: sent.response?.headers?.['x-token-id'],
				},
				pairedItem: { item: 0 },
			},
		]);
	});

	test('the token ID comes from X-Token-Id when the body lacks it', async () => {
		c2m.tokenIdInBody = false;
		const result = await n8n.run(issueLongTerm());
		expect(result.items[0].json.token_id).toMatch(/^tok_lt_/);
		expect(result.items[0].json.token_id).toBe(lastRequest().response?.headers?.['x-token-id']);
		expect(lastRequest().body).toEqual({
			grant_type: 'client_credentials',
			client_id: C2M_CLIENT.id,
			client_secret: C2M_CLIENT.secret,
		});
	});

	test('client credentials with a one-time code instead of the secret', async () => {
		const result = await n8n.run(issueLongTerm({ proof: 'otpCode', otpCode: C2M_CLIENT.otp }));
		expect(result.error).toBeUndefined();
		expect(lastRequest().body).toEqual({ grant_type: 'client_credentials', client_id: C2M_CLIENT.id, otp_code: C2M_CLIENT.otp });
	});

	test('an assertion', async () => {
		const result = await n8n.run(
			issueLongTerm({ grantType: 'assertion', assertionType: C2M_ASSERTION.type, assertion: C2M_ASSERTION.value }),
		);
		expect(result.error).toBeUndefined();
		expect(lastRequest().body).toEqual({
			grant_type: 'assertion',
			client_id: C2M_CLIENT.id,
			assertion_type: C2M_ASSERTION.type,
			assertion: C2M_ASSERTION.value,
		});
	});

	test('with an automatic short-term token holding tokens:write, the client ID comes from the node', async () => {
		const credential = shortTerm();
		const result = await n8n.run({
			node: 'c2m',
			parameters: { resource: 'token', operation: 'issueLongTerm', authentication: 'shortTermToken', clientId: C2M_CLIENT.id },
			credentials: { c2mShortTermTokenApi: credential },
		});
		expect(result.error).toBeUndefined();
		const sent = lastRequest();
		expect(sent.headers['x-client-id']).toBeUndefined();
		expect(sent.headers.authorization).toBe(`Bearer ${storedToken(n8n.credentials.storedData(credential).sessionToken)}`);
		expect(sent.body).toEqual({ grant_type: 'client_credentials', client_id: C2M_CLIENT.id });
	});

	test.each([
		[{ additionalFields: { ttlSeconds: 3599 } }, 'Token Lifetime (Seconds) must be at least 3600'],
		[{ additionalFields: { ttlSeconds: 7_776_001 } }, 'Token Lifetime (Seconds) must be at most 7776000'],
		[{ additionalFields: { scopes: ['jobs:submit', ' '] } }, 'Each entry of Scopes is required'],
		[{ proof: 'otpCode', otpCode: '' }, 'One-Time Code is set but resolved to nothing (empty text) for item 0'],
	])('refuses %j before sending', async (parameters, message) => {
		const values = JSON.parse(JSON.stringify(parameters));
		// Through an expression, as values from earlier nodes arrive; n8n blocks empty required fields in the panel.
		if (values.otpCode === '') values.otpCode = '={{ "" }}';
		const error = errorOf(await n8n.run(issueLongTerm(values)));
		expect(error.message).toBe(message);
		expect(c2m.server.requests).toHaveLength(0);
	});
});

describe('a credential the operation does not take', () => {
	// n8n's editor offers every C2M credential for every operation and preselects the newest.
	test.each([
		['issueShortTerm', 'clientKey', 'a Long-Term Token'],
		['revoke', 'clientKey', 'a Long-Term Token or Automatic Short-Term Token'],
		['issueLongTerm', 'longTermToken', 'a Client Key or Automatic Short-Term Token'],
	])('%s with %s is refused before sending, naming the ones that work', async (operation, authentication, choices) => {
		const error = errorOf(
			await n8n.run({
				node: 'c2m',
				parameters: { resource: 'token', operation, authentication, id: 'tok_lt_any' },
				credentials: { c2mClientKeyApi: clientKey(), c2mLongTermTokenApi: longTerm() },
			}),
		);
		expect(error.message).toBe(`This operation needs ${choices} credential`);
		expect(error.description).toContain(`The selected credential is of the kind "${authentication}"`);
		expect(error.description).toContain('Nothing was sent to C2M.');
		expect(c2m.server.requests).toHaveLength(0);
	});
});

describe('Token: Issue Short-Term', () => {
	test('trades the long-term token (as Bearer) for a short-term one; no body when no scope is set', async () => {
		const longToken = c2m.longTermToken();
		const result = await n8n.run({
			node: 'c2m',
			parameters: { resource: 'token', operation: 'issueShortTerm', authentication: 'longTermToken' },
			credentials: { c2mLongTermTokenApi: longTerm(longToken) },
		});
		expect(result.error).toBeUndefined();
		const sent = lastRequest();
		expect(sent.rawPath).toBe('/auth/tokens/short');
		expect(sent.headers.authorization).toBe(`Bearer ${longToken}`);
		expect(sent.rawBody).toBe('');
		expect(sent.response?.status).toBe(201);
		expect(result.items[0].json).toEqual(
			expect.objectContaining({ token_type: 'Bearer', expires_in: 900, token_id: expect.stringMatching(/^tok_st_/) }),
		);
	});

	test('narrower scopes', async () => {
		const result = await n8n.run({
			node: 'c2m',
			parameters: {
				resource: 'token',
				operation: 'issueShortTerm',
				authentication: 'longTermToken',
				additionalFields: { scopes: ['jobs:submit'] },
			},
			credentials: { c2mLongTermTokenApi: longTerm() },
		});
		expect(result.items[0].json.scopes).toEqual(['jobs:submit']);
		expect(lastRequest().body).toEqual({ scopes: ['jobs:submit'] });
	});
});

describe('Token: Revoke', () => {
	function revoke(tokenId: string, credentials: RunOptions['credentials'] = { c2mLongTermTokenApi: longTerm() }): RunOptions {
		return {
			node: 'c2m',
			parameters: { resource: 'token', operation: 'revoke', authentication: 'longTermToken', id: tokenId },
			credentials,
		};
	}

	test('revokes by token ID, says which token, and succeeds again for a revoked one', async () => {
		const issued = await n8n.run(issueLongTerm());
		const tokenId = issued.items[0].json.token_id as string;

		const first = await n8n.run(revoke(tokenId));
		expect(first.error).toBeUndefined();
		expect(first.items).toEqual([{ json: { revoked: true, token_id: tokenId }, pairedItem: { item: 0 } }]);
		expect(lastRequest().rawPath).toBe(`/auth/tokens/${tokenId}/revoke`);
		expect(lastRequest().response?.status).toBe(204);
		expect(c2m.isRevoked(tokenId)).toBe(true);

		const again = await n8n.run(revoke(tokenId));
		expect(again.error).toBeUndefined();
		expect(again.items[0].json).toEqual({ revoked: true, token_id: tokenId });
	});

	test('with the automatic short-term credential', async () => {
		const { items } = await n8n.run(issueLongTerm());
		const tokenId = items[0].json.token_id as string;
		const result = await n8n.run({
			node: 'c2m',
			parameters: { resource: 'token', operation: 'revoke', authentication: 'shortTermToken', id: tokenId },
			credentials: { c2mShortTermTokenApi: shortTerm() },
		});
		expect(result.error).toBeUndefined();
		expect(lastRequest().headers.authorization).toMatch(/^Bearer eyJ/);
	});

	test('an unknown token ID shows C2M’s 404', async () => {
		const error = errorOf(await n8n.run(revoke('tok_lt_nope')));
		expect(error.message).toBe('C2M: Token tok_lt_nope was not found');
		expect(error.description).toContain('HTTP 404 Not Found, code not_found');
	});

	test('the token ID is URL-encoded, and "." or ".." is refused before sending', async () => {
		await n8n.run(revoke('tok/../x?y#z'));
		expect(lastRequest().rawPath).toBe('/auth/tokens/tok%2F..%2Fx%3Fy%23z/revoke');
		c2m.server.clearRequests();
		for (const tokenId of ['.', '..']) {
			const error = errorOf(await n8n.run(revoke(tokenId)));
			expect(error.message).toBe('Token ID cannot be "." or "..": the request would go to a different address');
		}
		expect(c2m.server.requests).toHaveLength(0);
	});
});

describe('errors show C2M’s message and code', () => {
	test('400 invalid_grant: a wrong client secret, which never shows', async () => {
		const secret = 'wrong-c2m-secret-value';
		const result = await n8n.run(issueLongTerm({}, clientKey({ id: C2M_CLIENT.id, secret })));
		const error = errorOf(result);
		expect(error.message).toBe('C2M: The provided client credentials are invalid.');
		expect(error.description).toContain('HTTP 400 Bad Request, code invalid_grant');
		expect(everythingShown(result)).not.toContain(secret);
	});

	test('401 invalid_token: a revoked long-term token', async () => {
		const longToken = c2m.issueLongTermToken();
		const credential = longTerm(longToken.value);
		// The token revokes itself, then is used again.
		const revoked = await n8n.run({
			node: 'c2m',
			parameters: { resource: 'token', operation: 'revoke', authentication: 'longTermToken', id: longToken.id },
			credentials: { c2mLongTermTokenApi: credential },
		});
		expect(revoked.error).toBeUndefined();

		const result = await n8n.run({
			node: 'c2m',
			parameters: { resource: 'token', operation: 'issueShortTerm', authentication: 'longTermToken' },
			credentials: { c2mLongTermTokenApi: credential },
		});
		const error = errorOf(result);
		expect(error.message).toBe('C2M: The long-term token is invalid, expired or revoked');
		expect(error.description).toContain('HTTP 401 Unauthorized, code invalid_token');
		expect(everythingShown(result)).not.toContain(longToken.value);
	});

	test('403 insufficient_scope: revoking with a token that lacks tokens:revoke', async () => {
		const error = errorOf(await n8n.run({
			node: 'c2m',
			parameters: { resource: 'token', operation: 'revoke', authentication: 'longTermToken', id: 'tok_lt_any' },
			credentials: { c2mLongTermTokenApi: longTerm(c2m.longTermToken(['jobs:submit'])) },
		}));
		expect(error.message).toBe('C2M: The token lacks the tokens:revoke scope');
		expect(error.description).toContain('code insufficient_scope');
		expect(error.description).toContain('tokens:revoke to revoke');
	});

	test('429 rate_limited: C2M’s own message says when to retry', async () => {
		c2m.rateLimitNext();
		const error = errorOf(await n8n.run(issueLongTerm()));
		expect(error.message).toBe('C2M: Too many requests. Retry after 60 seconds.');
		expect(error.description).toContain('HTTP 429 Too Many Requests, code rate_limited');
	});
});

test('Continue On Fail keeps every item, each paired with its input', async () => {
	const { items } = await n8n.run(issueLongTerm());
	const tokenId = items[0].json.token_id as string;
	c2m.server.clearRequests();
	const result = await n8n.run({
		node: 'c2m',
		parameters: { resource: 'token', operation: 'revoke', authentication: 'longTermToken', id: '={{ $json.id }}' },
		credentials: { c2mLongTermTokenApi: longTerm() },
		items: [{ id: tokenId }, { id: '..' }, { id: 'tok_lt_missing' }],
		continueOnFail: true,
	});
	expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	expect(result.items[0].json).toEqual({ revoked: true, token_id: tokenId });
	expect(result.items[1].json.error).toMatch(/^Token ID cannot be/);
	expect(result.items[2].json.error).toBe('C2M: Token tok_lt_missing was not found');
	expect(c2m.server.requests).toHaveLength(2);
});

describe('C2M Automatic Short-Term Token credential', () => {
	const exchanges = () => c2m.server.requestsTo('/auth/tokens/short');
	// Revoking an unknown ID changes nothing: C2M answers 404 to an accepted token, and a 401
	// must still reach n8n so that it renews the token.
	const revokeUnknown = {
		method: 'POST' as const,
		url: '/auth/tokens/tok_unknown/revoke',
		ignoreHttpStatusErrors: { ignore: true as const, except: [401] },
	};

	test('25 items share one short-term token, which the next run reuses; scopes are sent as set', async () => {
		const credential = shortTerm({ scopes: 'tokens:revoke, jobs:submit' });
		const request = { ...revokeUnknown, baseURL: c2m.server.url };
		const first = await n8n.sendWithCredential('c2mShortTermTokenApi', credential, request, { items: 25 });

		expect(first.error).toBeUndefined();
		expect(exchanges()).toHaveLength(1);
		const stored = n8n.credentials.storedData(credential);
		expect(exchanges()[0].headers.authorization).toBe(`Bearer ${stored.longTermToken}`);
		expect(exchanges()[0].body).toEqual({ scopes: ['tokens:revoke', 'jobs:submit'] });
		const revokes = c2m.server.requests.filter((r) => r.rawPath.endsWith('/revoke'));
		expect(revokes).toHaveLength(25);
		expect(new Set(revokes.map((r) => r.headers.authorization))).toEqual(new Set([`Bearer ${storedToken(stored.sessionToken)}`]));
		expect(revokes.every((r) => r.response?.status === 404)).toBe(true);

		await n8n.sendWithCredential('c2mShortTermTokenApi', credential, request, { items: 3 });
		expect(exchanges()).toHaveLength(1);
	});

	test('after its short-term token expires, one new one serves every item', async () => {
		const credential = shortTerm();
		const request = { ...revokeUnknown, baseURL: c2m.server.url };
		await n8n.sendWithCredential('c2mShortTermTokenApi', credential, request);
		c2m.expireShortTermTokens();
		c2m.server.clearRequests();

		const result = await n8n.sendWithCredential('c2mShortTermTokenApi', credential, request, { items: 12 });

		expect(result.error).toBeUndefined();
		const revokes = c2m.server.requests.filter((r) => r.rawPath.endsWith('/revoke'));
		expect(revokes.filter((r) => r.response?.status === 401)).toHaveLength(12);
		expect(revokes.filter((r) => r.response?.status === 404)).toHaveLength(12);
		expect(exchanges()).toHaveLength(1);
	});

	test('its test passes for a good long-term token and shows C2M’s message for a revoked one', async () => {
		expect(await n8n.testCredential(shortTermType, shortTerm())).toEqual({ ok: true });
		const refused = await n8n.testCredential(shortTermType, shortTerm({ longTermToken: 'lt_forged' }));
		expect(refused.ok).toBe(false);
		expect(refused.message).toBe(
			'The credential could not get an access token. C2M: The long-term token is invalid, expired or revoked',
		);
	});
});

describe('the other C2M credentials’ tests', () => {
	test('client key: issues a one-hour token with the client’s own ID and secret', async () => {
		expect(await n8n.testCredential(clientKeyType, clientKey())).toEqual({ ok: true });
		expect(lastRequest().body).toEqual({
			grant_type: 'client_credentials',
			client_id: C2M_CLIENT.id,
			client_secret: C2M_CLIENT.secret,
			ttl_seconds: 3600,
		});
		expect((await n8n.testCredential(clientKeyType, clientKey({ id: C2M_CLIENT.id, secret: 'nope' }))).ok).toBe(false);
	});

	test('long-term token: trades it for a short-term one', async () => {
		expect(await n8n.testCredential(longTermType, longTerm())).toEqual({ ok: true });
		expect(lastRequest().rawPath).toBe('/auth/tokens/short');
		expect((await n8n.testCredential(longTermType, longTerm('lt_forged'))).ok).toBe(false);
	});
});
