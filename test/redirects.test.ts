/**
 * Redirects never carry a secret to another origin. Each API (or token endpoint) answers one
 * request with 302 or 307 pointing at a second loopback server, "the other origin", which
 * records whatever reaches it. Nothing may: not the Authorization header, not C2M's
 * X-Client-Id, not a replayed body with a client secret or a share token.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { createMocks } from '../scripts/mocks.ts';
import { N8nHarness, type RunResult } from './harness/n8n.ts';
import { CLOUD_API_KEY, IDENTITY_POOL_ID, SHARE_TOKEN } from '../scripts/mock/confluent.ts';
import { KNETIK_PUBLIC_CLIENT, seedTokens } from '../scripts/mock/knetik.ts';
import { MockServer } from '../scripts/mock/server.ts';
import { errorOf, everythingShown, harnessWithEverything, serveDuringTests } from './support.ts';

const { confluent, identityProvider: idp, runAi: runai, knetik, c2m } = createMocks();
/** Any request reaching it is a leak: it has no routes and answers 404 to everything. */
const otherOrigin = new MockServer({
	name: 'other origin',
	routes: [],
	errorBody: (_status, message) => ({ message }),
});
const servers = [confluent.server, idp.server, runai.server, knetik.server, c2m.server, otherOrigin];

let n8n: N8nHarness;

serveDuringTests(servers);
beforeEach(() => {
	n8n = harnessWithEverything();
	confluent.shareTokens.set(SHARE_TOKEN, { redeemed: false });
	knetik.stored = seedTokens();
});

const elsewhere = (path: string) => `${otherOrigin.url}${path}`;

function expectRefusedRedirect(result: RunResult, secrets: string[]) {
	expect(otherOrigin.requests).toEqual([]);
	const error = errorOf(result);
	expect(error.message).toMatch(/redirected the request to another address \(http:\/\/127\.0\.0\.1:\d+\), which is not followed/);
	expect(error.description).toContain('nothing was sent to');
	const shown = everythingShown(result);
	for (const secret of secrets) expect(shown).not.toContain(secret);
}

describe.each([302, 307])('a node call answered %i towards another origin', (status) => {
	test('Confluent Cloud: neither the Basic API key nor the share token in the body goes there', async () => {
		confluent.server.redirectNext(status, elsewhere('/cdx/v1/shared-tokens:redeem'));
		const result = await n8n.run({
			node: 'confluentCloud',
			parameters: { resource: 'sharedToken', operation: 'redeem', token: SHARE_TOKEN, additionalFields: {} },
			credentials: {
				confluentCloudApi: n8n.addCredential('confluentCloudApi', {
					apiKey: CLOUD_API_KEY.key,
					apiSecret: CLOUD_API_KEY.secret,
					baseUrl: confluent.server.url,
				}),
			},
		});
		expectRefusedRedirect(result, [CLOUD_API_KEY.secret, SHARE_TOKEN]);
		expect(result.error?.message).toMatch(/^Confluent Cloud redirected/);
		expect(confluent.server.requests).toHaveLength(1);
	});

	test('Run:ai Create: neither the Bearer token nor the client secret typed into the node goes there', async () => {
		const client = runai.addClient();
		const credentials = {
			runAiApi: n8n.addCredential('runAiApi', {
				baseUrl: runai.server.url,
				authentication: 'clientCredentials',
				clientId: client.id,
				clientSecret: client.secret,
			}),
		};
		const create = {
			node: 'runAi',
			parameters: { resource: 'token', operation: 'create', grantType: 'client_credentials', clientId: client.id, clientSecret: client.secret },
			credentials,
		};
		expect((await n8n.run(create)).error).toBeUndefined(); // the credential now holds a token
		runai.server.redirectNext(status, elsewhere('/api/v1/token'));
		expectRefusedRedirect(await n8n.run(create), [client.secret]);
	});

	test('C2M Issue Long-Term: neither X-Client-Id nor the client secret in the body goes there', async () => {
		const client = c2m.addClient();
		c2m.server.redirectNext(status, elsewhere('/auth/tokens/long'));
		const result = await n8n.run({
			node: 'c2m',
			parameters: { resource: 'token', operation: 'issueLongTerm', authentication: 'clientKey' },
			credentials: {
				c2mClientKeyApi: n8n.addCredential('c2mClientKeyApi', {
					clientId: client.id,
					clientSecret: client.secret,
					baseUrl: c2m.server.url,
				}),
			},
		});
		expectRefusedRedirect(result, [client.secret]);
	});

	test('Knetik Cloud Get: the Bearer token does not go there', async () => {
		const user = knetik.addAdminUser();
		const get = {
			node: 'knetikCloud',
			parameters: { authentication: 'password', resource: 'token', operation: 'get', username: 'ada', clientId: 'client-1' },
			credentials: {
				knetikCloudPasswordOAuth2Api: n8n.addCredential('knetikCloudPasswordOAuth2Api', {
					baseUrl: knetik.server.url,
					username: user.username,
					password: user.password,
					clientId: KNETIK_PUBLIC_CLIENT,
				}),
			},
		};
		expect((await n8n.run(get)).error).toBeUndefined();
		knetik.server.redirectNext(status, elsewhere('/auth/tokens/ada/client-1'));
		expectRefusedRedirect(await n8n.run(get), [user.password]);
	});
});

describe.each([302, 307])('a credential’s token endpoint answering %i towards another origin', (status) => {
	async function sendWith(type: string, data: ICredentialDataDecryptedObject, url: string) {
		return await n8n.sendWithCredential(type, n8n.addCredential(type, data), { url, method: 'GET' });
	}

	function expectRefusedTokenRedirect(result: RunResult, secrets: string[]) {
		expect(otherOrigin.requests).toEqual([]);
		const error = errorOf(result);
		expect(error.message).toMatch(/^The credential could not get an access token: .* redirected the request to another address/);
		const shown = everythingShown(result);
		for (const secret of secrets) expect(shown).not.toContain(secret);
	}

	test('Confluent identity pool, at the identity provider: the client secret does not go there', async () => {
		const client = idp.addClient();
		idp.server.redirectNext(status, elsewhere('/oauth2/token'));
		const result = await sendWith(
			'confluentCloudIdentityPoolOAuth2Api',
			{
				idpTokenUrl: `${idp.server.url}/oauth2/token`,
				clientId: client.id,
				clientSecret: client.secret,
				clientAuthentication: 'body',
				identityPoolId: IDENTITY_POOL_ID,
				baseUrl: confluent.server.url,
			},
			`${confluent.server.url}/org/v2/environments`,
		);
		expectRefusedTokenRedirect(result, [client.secret]);
		expect(confluent.server.requests).toEqual([]);
	});

	test('Confluent identity pool, at the STS: the identity provider’s JWT does not go there', async () => {
		const client = idp.addClient();
		confluent.server.redirectNext(status, elsewhere('/sts/v1/oauth2/token'));
		const result = await sendWith(
			'confluentCloudIdentityPoolOAuth2Api',
			{
				idpTokenUrl: `${idp.server.url}/oauth2/token`,
				clientId: client.id,
				clientSecret: client.secret,
				identityPoolId: IDENTITY_POOL_ID,
				baseUrl: confluent.server.url,
			},
			`${confluent.server.url}/org/v2/environments`,
		);
		expectRefusedTokenRedirect(result, [client.secret]);
		expect(confluent.server.requests).toHaveLength(1);
	});

	test('Run:ai: the client secret does not go there', async () => {
		const client = runai.addClient();
		runai.server.redirectNext(status, elsewhere('/api/v1/token'));
		const result = await sendWith(
			'runAiApi',
			{ baseUrl: runai.server.url, authentication: 'clientCredentials', clientId: client.id, clientSecret: client.secret },
			`${runai.server.url}/api/v1/clusters`,
		);
		expectRefusedTokenRedirect(result, [client.secret]);
	});

	test('Knetik Cloud password grant: the password does not go there', async () => {
		const user = knetik.addAdminUser();
		knetik.server.redirectNext(status, elsewhere('/oauth/token'));
		const result = await sendWith(
			'knetikCloudPasswordOAuth2Api',
			{ baseUrl: knetik.server.url, username: user.username, password: user.password, clientId: KNETIK_PUBLIC_CLIENT },
			`${knetik.server.url}/auth/tokens`,
		);
		expectRefusedTokenRedirect(result, [user.password]);
	});

	test('Knetik Cloud client credentials : the client secret does not go there', async () => {
		const client = knetik.addAdminClient();
		knetik.server.redirectNext(status, elsewhere('/oauth/token'));
		const result = await sendWith(
			'knetikCloudOAuth2Api',
			{ baseUrl: knetik.server.url, clientId: client.id, clientSecret: client.secret },
			`${knetik.server.url}/auth/tokens`,
		);
		expectRefusedTokenRedirect(result, [client.secret]);
	});

	test('C2M automatic short-term token: the long-term token does not go there', async () => {
		const longTermToken = c2m.longTermToken(undefined, c2m.addClient().id);
		c2m.server.redirectNext(status, elsewhere('/auth/tokens/short'));
		const result = await sendWith(
			'c2mShortTermTokenApi',
			{ baseUrl: c2m.server.url, longTermToken },
			`${c2m.server.url}/auth/tokens/n8n-credential-test/revoke`,
		);
		expectRefusedTokenRedirect(result, [longTermToken]);
	});
});

describe('a redirect within the same origin is followed', () => {
	test('a node call answered 307 to the same address goes there, once, with its body', async () => {
		confluent.server.redirectNext(307, `${confluent.server.url}/cdx/v1/shared-tokens:resources`);
		const result = await n8n.run({
			node: 'confluentCloud',
			parameters: { resource: 'sharedToken', operation: 'getResources', token: SHARE_TOKEN },
			credentials: {
				confluentCloudApi: n8n.addCredential('confluentCloudApi', {
					apiKey: CLOUD_API_KEY.key,
					apiSecret: CLOUD_API_KEY.secret,
					baseUrl: confluent.server.url,
				}),
			},
		});
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.consumer_shared_resources).toBeDefined();
		expect(confluent.server.requests.map((r) => [r.method, r.rawPath, r.body])).toEqual([
			['POST', '/cdx/v1/shared-tokens:resources', { token: SHARE_TOKEN }],
			['POST', '/cdx/v1/shared-tokens:resources', { token: SHARE_TOKEN }],
		]);
	});

	test('a token request answered 307 to the same address is sent there and its token used', async () => {
		const client = runai.addClient();
		runai.server.redirectNext(307, `${runai.server.url}/api/v1/token`);
		const result = await n8n.sendWithCredential(
			'runAiApi',
			n8n.addCredential('runAiApi', {
				baseUrl: runai.server.url,
				authentication: 'clientCredentials',
				clientId: client.id,
				clientSecret: client.secret,
			}),
			{ url: `${runai.server.url}/api/v1/clusters`, method: 'GET' },
		);
		expect(result.error).toBeUndefined();
		expect(runai.server.requests.map((r) => r.rawPath)).toEqual(['/api/v1/token', '/api/v1/token', '/api/v1/clusters']);
	});
});
