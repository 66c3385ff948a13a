import got from 'got';

import { ConfluentCloudApi } from '../credentials/ConfluentCloudApi.credentials';
import { ConfluentCloudIdentityPoolOAuth2Api } from '../credentials/ConfluentCloudIdentityPoolOAuth2Api.credentials';
import { ConfluentCloud } from '../nodes/ConfluentCloud/ConfluentCloud.node';
import { N8nHarness } from './harness/n8n.ts';
import {
	CLOUD_API_KEY,
	ConfluentMock,
	IDENTITY_POOL_ID,
	SHARE_TOKEN,
	UNPRIVILEGED_API_KEY,
} from '../scripts/mock/confluent.ts';
import { IDP_CLIENT, IdentityProviderMock } from '../scripts/mock/identityProvider.ts';
import { errorOf, everythingShown, isoInstantIn, storedToken } from './support.ts';

const confluent = new ConfluentMock();
const idp = new IdentityProviderMock();
confluent.trustsSubjectToken = (token) => idp.issuedToken(token);

const apiKeyType = new ConfluentCloudApi();
const identityPoolType = new ConfluentCloudIdentityPoolOAuth2Api();
let n8n: N8nHarness;

beforeAll(async () => {
	await Promise.all([confluent.server.start(), idp.server.start()]);
});
afterAll(async () => {
	await Promise.all([confluent.server.stop(), idp.server.stop()]);
});
beforeEach(() => {
	n8n = new N8nHarness([new ConfluentCloud()], [apiKeyType, identityPoolType]);
	confluent.server.clearRequests();
	idp.server.clearRequests();
	confluent.rateLimit = undefined;
	confluent.shareTokens.set(SHARE_TOKEN, { redeemed: false });
});

function apiKeyCredential(key = CLOUD_API_KEY) {
	return {
		confluentCloudApi: n8n.addCredential('confluentCloudApi', {
			apiKey: key.key,
			apiSecret: key.secret,
			baseUrl: confluent.server.url,
		}),
	};
}

function sharedToken(operation: string, parameters: Record<string, unknown> = {}) {
	return {
		node: 'confluentCloud',
		parameters: { resource: 'sharedToken', operation, token: SHARE_TOKEN, ...parameters },
		credentials: apiKeyCredential(),
	};
}

describe('Share Token: Get Resources', () => {
	test('returns what the token shares, without redeeming it', async () => {
		const result = await n8n.run(sharedToken('getResources'));

		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		expect(result.items[0].pairedItem).toEqual({ item: 0 });
		expect(result.items[0].json.consumer_shared_resources).toEqual([
			expect.objectContaining({ id: 'csr-12345', display_name: 'Stock Trades', cloud: 'AWS' }),
		]);
		const [request] = confluent.server.requests;
		expect(confluent.server.requests).toHaveLength(1);
		expect(request.method).toBe('POST');
		expect(request.rawPath).toBe('/cdx/v1/shared-tokens:resources');
		expect(request.headers['content-type']).toMatch(/^application\/json/);
		expect(request.headers.authorization).toBe(
			`Basic ${Buffer.from(`${CLOUD_API_KEY.key}:${CLOUD_API_KEY.secret}`).toString('base64')}`,
		);
		expect(request.body).toEqual({ token: SHARE_TOKEN });
		expect(confluent.shareTokens.get(SHARE_TOKEN)?.redeemed).toBe(false);
	});
});

describe('a credential field set by an expression on the item (n8n’s dynamic credentials)', () => {
	test('is resolved for each item: each item sends its own key', async () => {
		const basic = (key: string) => `Basic ${Buffer.from(`${key}:${CLOUD_API_KEY.secret}`).toString('base64')}`;
		const credentials = {
			confluentCloudApi: n8n.addCredential('confluentCloudApi', {
				apiKey: '={{ $json.apiKey }}',
				apiSecret: CLOUD_API_KEY.secret,
				baseUrl: confluent.server.url,
			}),
		};
		const result = await n8n.run({
			...sharedToken('getResources'),
			credentials,
			items: [{ apiKey: CLOUD_API_KEY.key }, { apiKey: 'key-of-another-account' }],
			continueOnFail: true,
		});

		expect(result.items.map((item) => item.json.error === undefined)).toEqual([true, false]);
		// A 401 is sent again only where the credential renews a token: an API key would get the same answer.
		expect(confluent.server.requests.map((request) => request.headers.authorization)).toEqual([
			basic(CLOUD_API_KEY.key),
			basic('key-of-another-account'),
		]);
	});
	test('with the base URL too: each item’s request goes to its own address', async () => {
		const other = new ConfluentMock();
		await other.server.start();
		try {
			other.shareTokens.set(SHARE_TOKEN, { redeemed: false });
			const credentials = {
				confluentCloudApi: n8n.addCredential('confluentCloudApi', {
					apiKey: CLOUD_API_KEY.key,
					apiSecret: CLOUD_API_KEY.secret,
					baseUrl: '={{ $json.baseUrl }}',
				}),
			};
			const result = await n8n.run({
				...sharedToken('getResources'),
				credentials,
				items: [{ baseUrl: confluent.server.url }, { baseUrl: other.server.url }],
			});

			expect(result.error).toBeUndefined();
			expect([confluent.server.requests.length, other.server.requests.length]).toEqual([1, 1]);
		} finally {
			await other.server.stop();
		}
	});
});

describe('Share Token: Redeem', () => {
	test('sends only the token when no additional field is set, and returns the credentials', async () => {
		const result = await n8n.run(sharedToken('redeem', { additionalFields: {} }));

		expect(result.error).toBeUndefined();
		expect(confluent.server.requests.map((r) => r.body)).toEqual([{ token: SHARE_TOKEN }]);
		expect(result.items).toEqual([
			{
				json: expect.objectContaining({
					kind: 'RedeemTokenResponse',
					api_key: 'SHAREDKAFKAKEY01',
					secret: 'shared-kafka-secret-value',
					schema_registry_secret: 'shared-schema-registry-secret',
					resources: [
						{ kind: 'Topic', topic: 'stock-trades' },
						{ kind: 'Group', group_prefix: 'stock-trades-consumer' },
						{ kind: 'Subject', subject: 'stock-trades-value' },
					],
				}),
				pairedItem: { item: 0 },
			},
		]);
	});

	test('sends the private-network fields under their API names', async () => {
		await n8n.run(
			sharedToken('redeem', {
				additionalFields: { awsAccount: '000000000000', gcpProject: 'my-project' },
			}),
		);
		expect(confluent.server.requests[0].rawPath).toBe('/cdx/v1/shared-tokens:redeem');
		expect(confluent.server.requests[0].body).toEqual({
			token: SHARE_TOKEN,
			aws_account: '000000000000',
			gcp_project: 'my-project',
		});
	});
});

describe('errors show Confluent Cloud’s own message, the status and the request id', () => {
	async function failingRun(options: ReturnType<typeof sharedToken>) {
		const result = await n8n.run(options);
		const error = errorOf(result);
		const last = confluent.server.requests.at(-1)!;
		return { error, result, requestId: last.response?.headers?.['x-request-id'] };
	}

	test('400: a malformed token', async () => {
		const { error, requestId } = await failingRun(sharedToken('getResources', { token: 'not a token!' }));
		expect(error.message).toBe('Confluent Cloud: The shared token is malformed');
		expect(error.description).toContain('HTTP 400 Bad Request, code invalid_token');
		expect(error.description).toContain(`Request ID: ${requestId}.`);
		expect(error.name).toBe('NodeApiError');
	});

	test('401: a wrong API secret, without the secret in anything shown', async () => {
		const wrong = { key: CLOUD_API_KEY.key, secret: 'wrong-secret-value-42' };
		const { error, result } = await failingRun({ ...sharedToken('redeem'), credentials: apiKeyCredential(wrong) });
		expect(error.message).toBe('Confluent Cloud: The API Key is invalid');
		// Not sent twice: an API key gets the same answer again, and Redeem is not to be repeated.
		expect(confluent.server.requests).toHaveLength(1);
		expect(error.description).toContain('HTTP 401 Unauthorized');
		expect(error.description).toContain('Cloud API key');
		const shown = everythingShown(result);
		expect(shown).not.toContain(wrong.secret);
		expect(shown).not.toContain(SHARE_TOKEN);
		expect(shown).not.toContain(Buffer.from(`${wrong.key}:${wrong.secret}`).toString('base64'));
	});

	test('403: a key whose owner may not use Stream Sharing', async () => {
		const { error } = await failingRun({ ...sharedToken('redeem'), credentials: apiKeyCredential(UNPRIVILEGED_API_KEY) });
		expect(error.message).toBe('Confluent Cloud: The API key does not have permission to use Stream Sharing');
		expect(error.description).toContain('HTTP 403 Forbidden');
	});

	test('404: a token the provider never issued', async () => {
		const { error } = await failingRun(sharedToken('getResources', { token: 'cdx_unknown_token' }));
		expect(error.message).toBe('Confluent Cloud: Shared token not found');
		expect(error.description).toContain('HTTP 404 Not Found, code not_found');
	});

	test('409: a token redeemed twice', async () => {
		expect((await n8n.run(sharedToken('redeem'))).error).toBeUndefined();
		const { error } = await failingRun(sharedToken('redeem'));
		expect(error.message).toBe('Confluent Cloud: The shared token has already been redeemed');
		expect(error.description).toContain('HTTP 409 Conflict');
	});

	test('429: says when to retry, from Retry-After', async () => {
		confluent.rateLimit = { limit: 1, resetSeconds: 30 };
		await n8n.run(sharedToken('getResources'));
		const { error } = await failingRun(sharedToken('getResources'));
		expect(error.message).toBe('Confluent Cloud answered HTTP 429 Too Many Requests');
		expect(error.description).toContain('Retry in 30 seconds');
	});

	test('500: a server fault', async () => {
		confluent.server.failNext(500, 'Oops, something went wrong!', 'internal_error');
		const { error, requestId } = await failingRun(sharedToken('getResources'));
		expect(error.message).toBe('Confluent Cloud: Oops, something went wrong!');
		expect(error.description).toContain('HTTP 500 Internal Server Error');
		expect(error.description).toContain(`Request ID: ${requestId}`);
	});

	test('any status is named with the phrase the server sent', async () => {
		confluent.server.failNext(410, 'The share has expired', 'gone');
		const { error } = await failingRun(sharedToken('getResources'));
		expect(error.description).toContain('HTTP 410 Gone, code gone');
	});
});

describe('bad input is refused before anything is sent', () => {
	// n8n itself refuses a required field left empty in the panel; these values arrive
	// through expressions, as they do from earlier nodes. The second item is the bad one: the
	// error says so, and only the first item reached Confluent.
	test.each([
		['an empty token', '', 'Share Token is set but resolved to nothing (empty text) for item 1'],
		['a blank token', '   ', 'Share Token is required'],
		['a token that is not text', 42, 'Share Token must be text'],
	])('%s', async (_case, token, message) => {
		const result = await n8n.run({
			...sharedToken('getResources', { token: '={{ $json.token }}' }),
			items: [{ token: SHARE_TOKEN }, { token }],
		});
		const error = errorOf(result);
		expect(error.message).toBe(message);
		expect(error.description).toMatch(/Nothing was sent to Confluent Cloud\.$/);
		expect(error.context.itemIndex).toBe(1);
		expect(confluent.server.requests.map((r) => r.body)).toEqual([{ token: SHARE_TOKEN }]);
	});

	test('a blank additional field', async () => {
		const result = await n8n.run(sharedToken('redeem', { additionalFields: { gcpProject: ' ' } }));
		expect(errorOf(result).message).toBe('GCP Project is required');
		expect(confluent.server.requests).toHaveLength(0);
	});

	test('no credential selected', async () => {
		const result = await n8n.run({ ...sharedToken('redeem'), credentials: undefined });
		expect(errorOf(result).message).toBe('Select a Confluent Cloud API credential');
		expect(confluent.server.requests).toHaveLength(0);
	});

	test('a lifetime above Confluent’s cap of 900 seconds', async () => {
		const result = await n8n.run({
			node: 'confluentCloud',
			parameters: {
				resource: 'oauthToken',
				operation: 'exchange',
				subjectToken: 'a.jwt.value',
				identityPoolId: IDENTITY_POOL_ID,
				expiresIn: 901,
				baseUrl: confluent.server.url,
			},
		});
		expect(errorOf(result).message).toBe('Token Lifetime (Seconds) must be at most 900');
		expect(confluent.server.requests).toHaveLength(0);
	});
});

test('Continue On Fail keeps every item, each paired with its input', async () => {
	const result = await n8n.run({
		...sharedToken('getResources', { token: '={{ $json.token }}' }),
		items: [{ token: SHARE_TOKEN }, { token: '' }, { token: 'cdx_unknown_token' }, { token: SHARE_TOKEN }],
		continueOnFail: true,
	});

	expect(result.error).toBeUndefined();
	expect(result.items.map((item) => item.pairedItem)).toEqual([
		{ item: 0 },
		{ item: 1 },
		{ item: 2 },
		{ item: 3 },
	]);
	expect(result.items[0].json.consumer_shared_resources).toHaveLength(1);
	expect(result.items[1].json.error).toBe('Share Token is set but resolved to nothing (empty text) for item 1');
	expect(result.items[2].json.error).toBe('Confluent Cloud: Shared token not found');
	expect(result.items[2].error?.description).toContain('HTTP 404');
	expect(result.items[3].json.consumer_shared_resources).toHaveLength(1);
	// The item with the empty token never reached the server.
	expect(confluent.server.requests.map((r) => r.body)).toEqual([
		{ token: SHARE_TOKEN },
		{ token: 'cdx_unknown_token' },
		{ token: SHARE_TOKEN },
	]);
});

async function idpToken(): Promise<string> {
	const body = await got
		.post(`${idp.server.url}/oauth2/token`, {
			form: { grant_type: 'client_credentials' },
			username: IDP_CLIENT.id,
			password: IDP_CLIENT.secret,
		})
		.json<{ access_token: string }>();
	idp.server.clearRequests();
	return body.access_token;
}

describe('OAuth Token: Exchange', () => {
	function exchange(parameters: Record<string, unknown>) {
		return {
			node: 'confluentCloud',
			parameters: {
				resource: 'oauthToken',
				operation: 'exchange',
				identityPoolId: IDENTITY_POOL_ID,
				expiresIn: 600,
				baseUrl: `${confluent.server.url}/`,
				...parameters,
			},
		};
	}

	test('exchanges an identity provider JWT, sending the RFC 8693 form and no credential', async () => {
		const jwt = await idpToken();
		const result = await n8n.run(exchange({ subjectToken: jwt }));

		expect(result.error).toBeUndefined();
		expect(result.items).toEqual([
			{
				json: {
					access_token: expect.stringMatching(/^sts_/),
					issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
					token_type: 'Bearer',
					expires_in: 600,
					expires_at: isoInstantIn(600),
				},
				pairedItem: { item: 0 },
			},
		]);
		const [request] = confluent.server.requests;
		expect(request.rawPath).toBe('/sts/v1/oauth2/token');
		expect(request.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
		expect(request.headers.authorization).toBeUndefined();
		expect(request.body).toEqual({
			grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
			subject_token: jwt,
			identity_pool_id: IDENTITY_POOL_ID,
			subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
			requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
			expires_in: '600',
		});
	});

	test('an unknown identity pool shows Confluent’s message', async () => {
		const result = await n8n.run(exchange({ subjectToken: await idpToken(), identityPoolId: 'pool-nope' }));
		const error = errorOf(result);
		expect(error.message).toBe('Confluent Cloud: Identity pool pool-nope does not exist');
		expect(error.description).toContain('HTTP 400 Bad Request, code invalid_identity_pool');
	});
});

describe('Confluent Cloud API credential', () => {
	test('its test request passes with a valid key and shows Confluent’s message otherwise', async () => {
		const good = apiKeyCredential().confluentCloudApi;
		expect(await n8n.testCredential(apiKeyType, good)).toEqual({ ok: true });
		expect(confluent.server.requests[0].rawPath).toBe('/org/v2/environments');

		const bad = n8n.addCredential('confluentCloudApi', {
			apiKey: CLOUD_API_KEY.key,
			apiSecret: 'not-the-secret',
			baseUrl: confluent.server.url,
		});
		const result = await n8n.testCredential(apiKeyType, bad);
		expect(result.ok).toBe(false);
	});
});

describe('Confluent Cloud Identity Pool OAuth2 credential', () => {
	/** A credential with an identity-provider client of its own, so no other test's token is shared with it. */
	function identityPoolCredential(overrides: Record<string, unknown> = {}) {
		const client = idp.addClient();
		return n8n.addCredential('confluentCloudIdentityPoolOAuth2Api', {
			idpTokenUrl: `${idp.server.url}/oauth2/token`,
			clientId: client.id,
			clientSecret: client.secret,
			identityPoolId: IDENTITY_POOL_ID,
			baseUrl: confluent.server.url,
			...overrides,
		});
	}
	const listEnvironments = { method: 'GET' as const, url: '/org/v2/environments', qs: { page_size: 1 } };

	function exchanges() {
		return confluent.server.requestsTo('/sts/v1/oauth2/token');
	}

	test('50 items cost one identity-provider token and one exchange; later runs reuse the token', async () => {
		const credential = identityPoolCredential();
		const first = await n8n.sendWithCredential('confluentCloudIdentityPoolOAuth2Api', credential, {
			...listEnvironments,
			baseURL: confluent.server.url,
		}, { items: 50 });

		expect(first.error).toBeUndefined();
		expect(first.items).toHaveLength(50);
		expect(idp.server.requests).toHaveLength(1);
		expect(exchanges()).toHaveLength(1);
		const issued = exchanges()[0].response?.body as { access_token: string };
		const calls = confluent.server.requestsTo('/org/v2/environments');
		expect(calls).toHaveLength(50);
		expect(new Set(calls.map((r) => r.headers.authorization))).toEqual(
			new Set([`Bearer ${issued.access_token}`]),
		);
		// n8n stored the token in the credential, where the next execution finds it.
		expect(storedToken(n8n.credentials.storedData(credential).sessionToken)).toBe(issued.access_token);

		const second = await n8n.sendWithCredential('confluentCloudIdentityPoolOAuth2Api', credential, {
			...listEnvironments,
			baseURL: confluent.server.url,
		}, { items: 5 });
		expect(second.error).toBeUndefined();
		expect(exchanges()).toHaveLength(1);
		expect(idp.server.requests).toHaveLength(1);
	});

	test('after Confluent answers 401 for an expired token, one new token serves every item', async () => {
		const credential = identityPoolCredential({ clientAuthentication: 'body', scope: 'confluent' });
		await n8n.sendWithCredential('confluentCloudIdentityPoolOAuth2Api', credential, {
			...listEnvironments,
			baseURL: confluent.server.url,
		});
		confluent.expireStsTokens();
		confluent.server.clearRequests();
		idp.server.clearRequests();

		const result = await n8n.sendWithCredential('confluentCloudIdentityPoolOAuth2Api', credential, {
			...listEnvironments,
			baseURL: confluent.server.url,
		}, { items: 20 });

		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(20);
		const calls = confluent.server.requestsTo('/org/v2/environments');
		expect(calls.filter((r) => r.response?.status === 401)).toHaveLength(20);
		expect(calls.filter((r) => r.response?.status === 200)).toHaveLength(20);
		expect(exchanges()).toHaveLength(1);
		// Client credentials went in the form body, as configured.
		expect(idp.server.requests).toHaveLength(1);
		expect(idp.server.requests[0].headers.authorization).toBeUndefined();
		const stored = n8n.credentials.storedData(credential);
		expect(idp.server.requests[0].body).toEqual({
			grant_type: 'client_credentials',
			scope: 'confluent',
			client_id: stored.clientId,
			client_secret: stored.clientSecret,
		});
	});

	test('its test request passes with good settings', async () => {
		expect(await n8n.testCredential(identityPoolType, identityPoolCredential())).toEqual({ ok: true });
	});

	test('a refused client secret shows the identity provider’s message and never the secret', async () => {
		const secret = 'wrong-idp-secret-value';
		const result = await n8n.sendWithCredential(
			'confluentCloudIdentityPoolOAuth2Api',
			identityPoolCredential({ clientSecret: secret }),
			{ ...listEnvironments, baseURL: confluent.server.url },
		);
		const error = errorOf(result);
		expect(error.message).toBe(
			'The credential could not get an access token. The identity provider: Client authentication failed',
		);
		expect(error.description).toContain('HTTP 401 Unauthorized, code invalid_client');
		expect(everythingShown(result)).not.toContain(secret);
		expect(exchanges()).toHaveLength(0);
	});
});
