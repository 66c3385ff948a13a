/**
 * Issue 10, "Nothing silently dropped, widened, faked or hung": each class of careless input
 * and misbehaving server, on every node, run through n8n-core's engine against the mocks.
 */
import type { IDataObject } from 'n8n-workflow';

import { KnetikCloudOAuth2Api } from '../credentials/KnetikCloudOAuth2Api.credentials';
import { KnetikCloud } from '../nodes/KnetikCloud/KnetikCloud.node';
import { registerNodeDescription } from '../nodes/shared/parameters';
import { N8nHarness, type RunOptions } from './harness/n8n.ts';
import { C2M_CLIENT, C2mMock } from '../scripts/mock/c2m.ts';
import { CLOUD_API_KEY, ConfluentMock, SHARE_TOKEN } from '../scripts/mock/confluent.ts';
import { KnetikMock, seedTokens } from '../scripts/mock/knetik.ts';
import { RUNAI_CLIENT, RunAiMock } from '../scripts/mock/runai.ts';
import type { MockResponse } from '../scripts/mock/server.ts';
import { errorOf, everythingShown, harnessWithEverything, serveDuringTests, credentialSays } from './support.ts';

const knetik = new KnetikMock();
const c2m = new C2mMock();
const confluent = new ConfluentMock();
const runai = new RunAiMock();
const mocks = [knetik.server, c2m.server, confluent.server, runai.server];
let n8n: N8nHarness;

serveDuringTests(mocks);
beforeEach(() => {
	n8n = harnessWithEverything();
	for (const server of mocks) server.clearFaults();
	knetik.stored = seedTokens();
	confluent.shareTokens.set(SHARE_TOKEN, { redeemed: false });
});

function knetikRun(operation: string, parameters: Record<string, unknown>, items?: IDataObject[]): RunOptions {
	const client = knetik.addAdminClient();
	return {
		node: 'knetikCloud',
		parameters: { authentication: 'clientCredentials', resource: 'token', operation, ...parameters },
		credentials: {
			knetikCloudOAuth2Api: n8n.addCredential('knetikCloudOAuth2Api', {
				baseUrl: knetik.server.url,
				clientId: client.id,
				clientSecret: client.secret,
			}),
		},
		items,
	};
}

const knetikAdminCalls = () => knetik.server.requests.filter((request) => request.rawPath.startsWith('/auth/tokens'));

function c2mRun(operation: string, parameters: Record<string, unknown>, items?: IDataObject[]): RunOptions {
	return {
		node: 'c2m',
		parameters: { resource: 'token', operation, authentication: 'longTermToken', ...parameters },
		credentials: {
			c2mLongTermTokenApi: n8n.addCredential('c2mLongTermTokenApi', {
				longTermToken: c2m.longTermToken(),
				baseUrl: c2m.server.url,
			}),
		},
		items,
	};
}

function confluentRun(operation: string, parameters: Record<string, unknown>, items?: IDataObject[]): RunOptions {
	return {
		node: 'confluentCloud',
		parameters: { resource: 'sharedToken', operation, token: SHARE_TOKEN, ...parameters },
		credentials: {
			confluentCloudApi: n8n.addCredential('confluentCloudApi', {
				apiKey: CLOUD_API_KEY.key,
				apiSecret: CLOUD_API_KEY.secret,
				baseUrl: confluent.server.url,
			}),
		},
		items,
	};
}

function runAiRun(operation: string, parameters: Record<string, unknown>, items?: IDataObject[]): RunOptions {
	return {
		node: 'runAi',
		parameters: { resource: 'token', operation, ...parameters },
		credentials: {
			runAiApi: n8n.addCredential('runAiApi', {
				baseUrl: runai.server.url,
				authentication: 'accessToken',
				accessToken: 'runai-pasted-token',
			}),
		},
		items,
	};
}

describe('A value the user set never silently disappears', () => {
	test('Knetik Delete: a Username expression that resolves to "" deletes nothing (not every user’s tokens)', async () => {
		const error = errorOf(
			await n8n.run(knetikRun('delete', { username: '={{ $json.user }}', clientId: 'web' }, [{ user: '' }])),
		);
		expect(error.message).toBe('Username is set but resolved to nothing (empty text) for item 0');
		expect(error.description).toContain('Nothing was sent to Knetik Cloud');
		expect(knetikAdminCalls()).toHaveLength(0);
		expect(knetik.stored).toHaveLength(seedTokens().length);
	});

	test.each([
		['undefined', '={{ $json.missing }}', 'nothing (undefined)'],
		['null', '={{ null }}', 'nothing (null)'],
	])('Knetik Delete: a Client ID expression that resolves to %s is refused', async (_case, expression, said) => {
		const error = errorOf(await n8n.run(knetikRun('delete', { username: 'bob', clientId: expression })));
		expect(error.message).toBe(`Client ID is set but resolved to ${said} for item 0`);
		expect(knetikAdminCalls()).toHaveLength(0);
	});

	test('Knetik Delete: a field the user did not add is not sent', async () => {
		const result = await n8n.run(knetikRun('delete', { username: 'bob' }));
		expect(result.error).toBeUndefined();
		expect(Object.fromEntries(knetikAdminCalls()[0].query)).toEqual({ username: 'bob' });
	});

	test.each([
		['undefined', '={{ $json.missing }}'],
		['an empty list', '={{ [] }}'],
	])('C2M Issue Short-Term: Scopes resolving to %s are refused, not widened to every scope', async (_case, scopes) => {
		const error = errorOf(await n8n.run(c2mRun('issueShortTerm', { additionalFields: { scopes } })));
		expect(error.message).toMatch(/^Scopes \(in Additional Fields\) is set but resolved to nothing/);
		expect(error.description).toContain('Nothing was sent to C2M');
		expect(c2m.server.requests).toHaveLength(0);
	});

	test('C2M Issue Short-Term: one scope entry resolving to nothing is refused too', async () => {
		const error = errorOf(
			await n8n.run(c2mRun('issueShortTerm', { additionalFields: { scopes: ['jobs:submit', '={{ $json.scope }}'] } })),
		);
		expect(error.message).toBe('Scopes (in Additional Fields, entry 2) is set but resolved to nothing (undefined) for item 0');
		expect(c2m.server.requests).toHaveLength(0);
	});

	test('Knetik Get Many: a filter resolving to nothing does not list every user’s tokens', async () => {
		const error = errorOf(
			await n8n.run(knetikRun('getAll', { returnAll: true, filters: { username: '={{ $json.user }}' } }, [{}])),
		);
		expect(error.message).toBe('Username (in Filters) is set but resolved to nothing (undefined) for item 0');
		expect(knetikAdminCalls()).toHaveLength(0);
	});

	test('Knetik Get Many: a Limit of ={{ null }} is refused instead of returning nothing', async () => {
		const error = errorOf(await n8n.run(knetikRun('getAll', { returnAll: false, limit: '={{ null }}' })));
		expect(error.message).toBe('Limit is set but resolved to nothing (null) for item 0');
		expect(knetikAdminCalls()).toHaveLength(0);
	});

	test('Knetik Get Many: a sort property resolving to nothing is refused', async () => {
		const error = errorOf(
			await n8n.run(knetikRun('getAll', { sort: { order: [{ property: '={{ $json.by }}', direction: 'ASC' }] } })),
		);
		expect(error.message).toBe('Property (in Sort, rule 1) is set but resolved to nothing (undefined) for item 0');
		expect(knetikAdminCalls()).toHaveLength(0);
	});

	test('Confluent Redeem (one-shot) does not go through without the private-network field the user set', async () => {
		const error = errorOf(
			await n8n.run(confluentRun('redeem', { additionalFields: { awsAccount: '={{ $json.account }}' } }, [{}])),
		);
		expect(error.message).toBe('AWS Account (in Additional Fields) is set but resolved to nothing (undefined) for item 0');
		expect(error.description).toContain('Nothing was sent to Confluent Cloud');
		expect(confluent.server.requests).toHaveLength(0);
		expect(confluent.shareTokens.get(SHARE_TOKEN)?.redeemed).toBe(false);
	});

	test('Run:ai Create: a User-Agent option resolving to nothing is refused', async () => {
		const error = errorOf(
			await n8n.run(
				runAiRun('create', {
					grantType: 'client_credentials',
					clientCredentialsFrom: 'node',
					clientId: RUNAI_CLIENT.id,
					clientSecret: RUNAI_CLIENT.secret,
					options: { userAgent: '={{ $json.agent }}' },
				}),
			),
		);
		expect(error.message).toBe('User-Agent (in Options) is set but resolved to nothing (undefined) for item 0');
		expect(runai.server.requests).toHaveLength(0);
	});

	test('each item is checked on its own: only the item whose value resolves to nothing fails', async () => {
		const result = await n8n.run({
			...knetikRun('delete', { username: '={{ $json.user }}', clientId: 'web' }, [{ user: 'bob' }, { user: '' }]),
			continueOnFail: true,
		});
		expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(result.items[0].json).toEqual({ deleted: true, username: 'bob', client_id: 'web' });
		expect(result.items[1].json.error).toBe('Username is set but resolved to nothing (empty text) for item 1');
		expect(knetikAdminCalls()).toHaveLength(1);
	});
});

/** One run per operation whose call reaches its mock first (no token request in front of it). */
const operations: [string, () => RunOptions, { answerNext(response: MockResponse): void }, { status: number; empty?: boolean }][] = [
	['Confluent Get Resources', () => confluentRun('getResources', {}), confluent.server, { status: 200 }],
	['Confluent Redeem', () => confluentRun('redeem', {}), confluent.server, { status: 200 }],
	[
		'Confluent Exchange',
		() => ({
			node: 'confluentCloud',
			parameters: { resource: 'oauthToken', operation: 'exchange', subjectToken: 'a.jwt.value', identityPoolId: 'pool-AbCd', baseUrl: confluent.server.url },
		}),
		confluent.server,
		{ status: 200 },
	],
	['Run:ai Create', () => runAiRun('create', { grantType: 'client_credentials', clientCredentialsFrom: 'node', clientId: RUNAI_CLIENT.id, clientSecret: RUNAI_CLIENT.secret }), runai.server, { status: 200 }],
	['Run:ai Exchange Code', () => runAiRun('exchangeCode', { redirectUri: 'https://n8n.example.com/callback', code: 'code' }), runai.server, { status: 200 }],
	['Run:ai Get App Token', () => runAiRun('getAppToken', { applicationId: 'a', applicationName: 'b', applicationSecret: 'app-secret-value' }), runai.server, { status: 200 }],
	['Run:ai Refresh', () => runAiRun('refresh', { refreshToken: 'refresh-token-value' }), runai.server, { status: 200 }],
	['Knetik Get', () => knetikRun('get', { username: 'ada', clientId: 'client-1' }), knetik.server, { status: 200 }],
	['Knetik Get Many', () => knetikRun('getAll', { returnAll: true }), knetik.server, { status: 200 }],
	['Knetik Delete', () => knetikRun('delete', { username: 'bob' }), knetik.server, { status: 204, empty: true }],
	[
		'C2M Issue Long-Term',
		() => ({
			...c2mRun('issueLongTerm', { authentication: 'clientKey' }),
			credentials: {
				c2mClientKeyApi: n8n.addCredential('c2mClientKeyApi', { clientId: C2M_CLIENT.id, clientSecret: C2M_CLIENT.secret, baseUrl: c2m.server.url }),
			},
		}),
		c2m.server,
		{ status: 201 },
	],
	['C2M Issue Short-Term', () => c2mRun('issueShortTerm', {}), c2m.server, { status: 201 }],
	['C2M Revoke', () => c2mRun('revoke', { id: 'tok_lt_anything' }), c2m.server, { status: 204, empty: true }],
];

/** Runs an operation whose own call gets `answer`; Knetik's credential fetches its token first. */
async function runAnswered(options: RunOptions, server: { answerNext(response: MockResponse): void }, answer: MockResponse) {
	if (server === knetik.server) {
		// n8n's OAuth2 fetches the token on the first run; the answer then hits the node's call.
		await n8n.run({ ...options, parameters: { ...options.parameters, operation: 'get', username: 'ada', clientId: 'client-1' } });
	}
	server.answerNext(answer);
	return await n8n.run(options);
}

const html = { status: 200, rawBody: '<!DOCTYPE html><html><body>Sign in to the Wi-Fi</body></html>', headers: { 'content-type': 'text/html' } };

describe('No success without the documented success', () => {
	test.each(operations)('%s: a 200 HTML page (a captive portal) is an error saying what came back', async (_name, options, server) => {
		const result = await runAnswered(options(), server, html);
		const error = errorOf(result);
		expect(error.message).toMatch(/answered HTTP 200 with text\/html, not the documented/);
		expect(error.description).toContain('Content-Type: text/html');
		expect(error.description).toContain('<!DOCTYPE html><html><body>Sign in to the Wi-Fi');
		expect(error.description).toContain('Check the base URL');
		expect(result.items).toEqual([]);
	});

	test.each(operations)('%s: broken JSON, plain text and a JSON array are errors too', async (_name, options, server) => {
		for (const answer of [
			{ status: 200, rawBody: '{"access_token": "abc', headers: { 'content-type': 'application/json' } },
			{ status: 200, rawBody: 'OK', headers: { 'content-type': 'text/plain' } },
			{ status: 200, body: [{ token: 'x' }] },
		]) {
			const error = errorOf(await runAnswered(options(), server, answer));
			expect(error.message).toMatch(/answered HTTP 200 with .*, not the documented/);
		}
	});

	test.each(operations)('%s: a success status other than the documented one is an error', async (_name, options, server, success) => {
		const answer = success.empty ? { status: 200, body: { ok: true } } : { status: 202, body: { ok: true } };
		const error = errorOf(await runAnswered(options(), server, answer));
		expect(error.message).toContain(`not the documented HTTP ${success.status}`);
	});

	test('Knetik Delete does not claim { deleted: true } on a captive portal’s page', async () => {
		const result = await runAnswered(knetikRun('delete', { username: 'bob' }), knetik.server, html);
		expect(errorOf(result).message).toBe(
			'Knetik Cloud answered HTTP 200 with text/html, not the documented HTTP 204 with an empty body',
		);
		expect(errorOf(result).description).toContain('The node cannot tell whether Knetik Cloud acted on the request.');
	});

	test('C2M Revoke does not claim { revoked: true } on a proxy’s 200', async () => {
		const result = await runAnswered(c2mRun('revoke', { id: 'tok_lt_anything' }), c2m.server, { status: 200, rawBody: 'revoked', headers: { 'content-type': 'text/plain' } });
		expect(errorOf(result).message).toBe('C2M answered HTTP 200 with text/plain, not the documented HTTP 204 with an empty body');
	});

	test('Knetik Get Many: a JSON object that is not a page is an error, not 0 items', async () => {
		const result = await runAnswered(knetikRun('getAll', { returnAll: true }), knetik.server, { status: 200, body: { status: 'ok' } });
		expect(errorOf(result).message).toBe('The answer is not a page of results');
		expect(result.items).toEqual([]);
	});

	test('Knetik Get Many: an entry that is not a JSON object never becomes an item', async () => {
		const page = { content: ['ada', { username: 'bob', client_id: 'web' }], last: true };
		const result = await runAnswered(knetikRun('getAll', { returnAll: true }), knetik.server, { status: 200, body: page });
		expect(errorOf(result).message).toBe('Knetik Cloud answered with an entry that is not a JSON object');
	});

	test('the first characters shown never include a secret', async () => {
		const options = runAiRun('create', { grantType: 'client_credentials', clientCredentialsFrom: 'node', clientId: RUNAI_CLIENT.id, clientSecret: 'the-client-secret-1' });
		runai.server.answerNext({ status: 200, rawBody: 'echo: the-client-secret-1', headers: { 'content-type': 'text/plain' } });
		const result = await n8n.run(options);
		expect(errorOf(result).description).toContain('echo: [redacted]');
		expect(everythingShown(result)).not.toContain('the-client-secret-1');
	});
});

describe('No token from an answer that is not the documented one', () => {
	test('Run:ai credential: an HTML page from the token endpoint is not a token', async () => {
		const client = runai.addClient();
		const credential = n8n.addCredential('runAiApi', { baseUrl: runai.server.url, authentication: 'clientCredentials', clientId: client.id, clientSecret: client.secret });
		runai.server.answerNext({ ...html, rawBody: `<html>${client.secret}</html>` });
		const result = await n8n.run({ ...runAiRun('refresh', { refreshToken: 'refresh-token-value' }), credentials: { runAiApi: credential } });
		const error = errorOf(result);
		expect(error.message).toEqual(
			credentialSays('The credential could not get an access token. Run:ai answered HTTP 200 with text/html, not the documented HTTP 200 with a JSON object'),
		);
		expect(error.description).toContain('<html>[redacted]</html>');
		expect(everythingShown(result)).not.toContain(client.secret);
		expect(runai.server.requests.map((request) => request.rawPath)).toEqual(['/api/v1/token']);
	});

	// The credential fetches its own token since it stopped using n8n's OAuth2 code (see
	// README, Security), so the documented-success check applies to it as to the others.
	test('Knetik client credentials credential: an HTML page from the token endpoint is not a token, and its secret is hidden even where the shown body is cut', async () => {
		const client = knetik.addAdminClient();
		const credential = n8n.addCredential('knetikCloudOAuth2Api', { baseUrl: knetik.server.url, clientId: client.id, clientSecret: client.secret });
		// The secret straddles the 120th character, where the shown body is cut.
		knetik.server.answerNext({ ...html, rawBody: `${'x'.repeat(110)}${client.secret}</html>` });
		const result = await n8n.run({ ...knetikRun('get', { username: 'ada', clientId: 'client-1' }), credentials: { knetikCloudOAuth2Api: credential } });
		const error = errorOf(result);
		expect(error.message).toEqual(
			credentialSays('The credential could not get an access token. Knetik Cloud answered HTTP 200 with text/html, not the documented HTTP 200 with a JSON object'),
		);
		expect(error.description).toContain('[redacted]');
		expect(everythingShown(result)).not.toContain(client.secret.slice(0, 10));
		expect(knetik.server.requests.map((request) => request.rawPath)).toEqual(['/oauth/token']);
	});

	test('C2M automatic short-term credential: a 200 where C2M documents 201 is not a token', async () => {
		const credential = n8n.addCredential('c2mShortTermTokenApi', {
			longTermToken: c2m.longTermToken(undefined, c2m.addClient().id),
			baseUrl: c2m.server.url,
		});
		c2m.server.answerNext({ status: 200, body: { access_token: 'from-a-proxy' } });
		const result = await n8n.run({ ...c2mRun('revoke', { id: 'tok_lt_x', authentication: 'shortTermToken' }), credentials: { c2mShortTermTokenApi: credential } });
		expect(errorOf(result).message).toEqual(
			credentialSays('The credential could not get an access token. C2M answered HTTP 200 with application/json, not the documented HTTP 201 with a JSON object'),
		);
		expect(c2m.server.requests.map((request) => request.rawPath)).toEqual(['/auth/tokens/short']);
	});
});

describe('Bounded time, said plainly', () => {
	test('the node’s Timeout bounds its call, and the message says it timed out and after how long', async () => {
		c2m.server.hangNext();
		const started = Date.now();
		const result = await n8n.run(c2mRun('revoke', { id: 'tok_lt_x', requestOptions: { timeout: 500 } }));
		expect(Date.now() - started).toBeLessThan(5_000);
		const error = errorOf(result);
		expect(error.message).toBe('C2M did not answer within 0.5 seconds');
		expect(error.description).toContain('The request timed out after 0.5 seconds');
		expect(error.description).toContain('cannot tell whether C2M acted on the request');
	});

	test('the node’s Timeout bounds the credential’s token request too', async () => {
		const client = runai.addClient();
		const credential = n8n.addCredential('runAiApi', { baseUrl: runai.server.url, authentication: 'clientCredentials', clientId: client.id, clientSecret: client.secret });
		runai.server.hangNext();
		const started = Date.now();
		const result = await n8n.run({
			...runAiRun('refresh', { refreshToken: 'refresh-token-value', requestOptions: { timeout: 500 } }),
			credentials: { runAiApi: credential },
		});
		expect(Date.now() - started).toBeLessThan(5_000);
		expect(errorOf(result).message).toEqual(credentialSays('The credential could not get an access token: Run:ai did not answer within 0.5 seconds'));
		expect(runai.server.requests.map((request) => request.rawPath)).toEqual(['/api/v1/token']);
	});

	test('the node’s Timeout bounds the Knetik client credentials token request, which the credential sends itself', async () => {
		knetik.server.hangNext();
		const started = Date.now();
		const result = await n8n.run(knetikRun('get', { username: 'ada', clientId: 'client-1', requestOptions: { timeout: 500 } }));
		expect(Date.now() - started).toBeLessThan(5_000);
		expect(errorOf(result).message).toEqual(credentialSays('The credential could not get an access token: Knetik Cloud did not answer within 0.5 seconds'));
		expect(knetik.server.requests.map((request) => request.rawPath)).toEqual(['/oauth/token']);
	});

	// Without a Timeout option, n8n would wait 300 seconds; the package's default is 30. Both
	// cases wait side by side, so the test takes 30 seconds, not 60.
	test('a node call and a credential’s token request wait 30 seconds by default, not 300', async () => {
		const user = knetik.addAdminUser();
		const credential = n8n.addCredential('knetikCloudPasswordOAuth2Api', { baseUrl: knetik.server.url, ...user, clientId: 'web' });
		c2m.server.hangNext();
		knetik.server.hangNext();
		const started = Date.now();
		const [nodeCall, tokenRequest] = await Promise.all([
			n8n.run(c2mRun('revoke', { id: 'tok_lt_x' })),
			n8n.run({
				...knetikRun('get', { username: 'ada', clientId: 'client-1', authentication: 'password' }),
				credentials: { knetikCloudPasswordOAuth2Api: credential },
			}),
		]);
		expect(Date.now() - started).toBeGreaterThanOrEqual(29_000);
		expect(Date.now() - started).toBeLessThan(40_000);
		expect(errorOf(nodeCall).message).toBe('C2M did not answer within 30 seconds');
		expect(errorOf(tokenRequest).message).toEqual(credentialSays('The credential could not get an access token: Knetik Cloud did not answer within 30 seconds'));
	}, 45_000);
});


describe('Input that cannot be right is refused, naming the field', () => {
	const nothingSent = () => [knetik, c2m, confluent, runai].every((mock) => mock.server.requests.length === 0);

	test.each([
		['Knetik Cloud, an unknown operation', { authentication: 'clientCredentials', resource: 'token', operation: 'purge' }, 'knetikCloud', 'Operation "purge" is not one of this node’s choices: Delete, Get, Get Many'],
		['Knetik Cloud, an unknown resource', { authentication: 'clientCredentials', resource: 'user', operation: 'get' }, 'knetikCloud', 'Resource "user" is not one of this node’s choices: Token'],
		['Confluent Cloud, an unknown resource', { resource: 'apiKey', operation: 'redeem' }, 'confluentCloud', 'Resource "apiKey" is not one of this node’s choices: OAuth Token, Share Token'],
		['Confluent Cloud, an operation of the other resource', { resource: 'oauthToken', operation: 'redeem', subjectToken: 'a.jwt', identityPoolId: 'pool-AbCd' }, 'confluentCloud', 'Operation "redeem" is not one of this node’s choices: Exchange'],
		['Run:ai, an unknown grant type', { resource: 'token', operation: 'create', grantType: 'device_code' }, 'runAi', 'Grant Type "device_code" is not one of this node’s choices: App Token (Legacy), Authorization Code (Exchange Token), Client Credentials, External Token Exchange, Password, Refresh Token'],
		['C2M, an unknown proof', { resource: 'token', operation: 'issueLongTerm', authentication: 'clientKey', proof: 'magic' }, 'c2m', 'Proof "magic" is not one of this node’s choices: Client Secret (From the Credential), One-Time Code'],
		['C2M, an unknown grant type', { resource: 'token', operation: 'issueLongTerm', authentication: 'clientKey', grantType: 'password' }, 'c2m', 'Grant Type "password" is not one of this node’s choices: Client Credentials, Assertion'],
		['Knetik, an unknown sort direction', { authentication: 'clientCredentials', resource: 'token', operation: 'getAll', sort: { order: [{ property: 'username', direction: 'UP' }] } }, 'knetikCloud', 'Direction (in Sort, rule 1) "UP" is not one of this node’s choices: Ascending, Descending'],
	])('%s is refused before anything is sent', async (_case, parameters, node, message) => {
		const credentials = {
			knetikCloud: () => knetikRun('get', {}).credentials,
			confluentCloud: () => confluentRun('redeem', {}).credentials,
			c2m: () => ({
				c2mLongTermTokenApi: n8n.addCredential('c2mLongTermTokenApi', { longTermToken: c2m.longTermToken(), baseUrl: c2m.server.url }),
				c2mClientKeyApi: n8n.addCredential('c2mClientKeyApi', { clientId: C2M_CLIENT.id, clientSecret: C2M_CLIENT.secret, baseUrl: c2m.server.url }),
			}),
			runAi: () => runAiRun('create', {}).credentials,
		}[node]!();
		const result = await n8n.run({ node, parameters, credentials });
		const error = errorOf(result);
		expect(error.message).toBe(message);
		expect(error.description).toMatch(/Nothing was sent/);
		expect(nothingSent()).toBe(true);
	});

	test('C2M, an unknown operation: refused, naming the Operation, before anything is sent', async () => {
		const result = await n8n.run(c2mRun('rotate', {}));
		expect(errorOf(result).message).toBe(
			'Operation "rotate" is not one of this node’s choices: Issue Long-Term Token, Issue Short-Term Token, Revoke',
		);
		expect(nothingSent()).toBe(true);
	});

	test('Custom API Call says to use the HTTP Request node with the credential', async () => {
		const result = await n8n.run(knetikRun('__CUSTOM_API_CALL__', {}));
		expect(errorOf(result).message).toBe(
			'Custom API Call is not an operation of the Knetik Cloud node: use the HTTP Request node with this credential',
		);
		expect(errorOf(result).description).toContain('Predefined Credential Type');
		expect(nothingSent()).toBe(true);
	});

	test('Run:ai: the documented maximum lengths are enforced', async () => {
		const error = errorOf(
			await n8n.run(runAiRun('create', { grantType: 'client_credentials', clientCredentialsFrom: 'node', clientId: 'x'.repeat(256), clientSecret: 's'.repeat(501) })),
		);
		expect(error.message).toBe('Client ID must be at most 255 characters');
		expect(error.description).toContain('Client Secret must be at most 500 characters');
		expect(nothingSent()).toBe(true);
	});

	test.each([
		['a line break', 'agent\r\nX-Injected: 1'],
		['a NUL', 'agent\u0000'],
		['a character outside Latin-1', 'agent ✓'],
	])('Run:ai User-Agent with %s is refused, not stripped', async (_case, userAgent) => {
		const error = errorOf(
			await n8n.run(
				runAiRun('create', { grantType: 'client_credentials', clientCredentialsFrom: 'node', clientId: RUNAI_CLIENT.id, clientSecret: RUNAI_CLIENT.secret, options: { userAgent } }),
			),
		);
		expect(error.message).toBe(
			'User-Agent is sent as an HTTP header, so it cannot contain line breaks, control characters or characters outside Latin-1',
		);
		expect(nothingSent()).toBe(true);
	});

	test('a lone surrogate in a path value is refused, not sent as an empty segment', async () => {
		const error = errorOf(await n8n.run(c2mRun('revoke', { id: 'a\uD800b' })));
		expect(error.message).toBe('Token ID is not well-formed text (it holds half of a character pair)');
		expect(nothingSent()).toBe(true);
	});

	test('zod’s own enum message never reaches the user: it names the field', async () => {
		// An expression is how a value outside the panel's choices gets past the options check.
		const error = errorOf(
			await n8n.run(knetikRun('getAll', { sort: { order: [{ property: 'username', direction: '={{ "up" }}' }] } })),
		);
		expect(error.message).not.toMatch(/Invalid enum value/);
		expect(error.message).toMatch(/^Direction/);
	});

	// As in stop mode, a NodeApiError: it carries the node without its secret parameters (see
	// README, Security), which a NodeOperationError built from the node would not.
	test('validation failures are NodeApiErrors with Continue On Fail, as in stop mode', async () => {
		const result = await n8n.run({ ...c2mRun('revoke', { id: '={{ $json.id }}' }, [{ id: '..' }]), continueOnFail: true });
		expect(result.items[0].error?.name).toBe('NodeApiError');
		expect(result.items[0].error?.message).toMatch(/^Token ID cannot be "\." or "\.\."/);
		expect(result.items[0].pairedItem).toEqual({ item: 0 });
	});
});

describe('Continue On Fail keeps every item', () => {
	test('203 items, every 7th failing in a different way: one output item per input, paired, the good ones done', async () => {
		const failures: [Record<string, unknown>, RegExp][] = [
			[{ user: '' }, /^Username is set but resolved to nothing \(empty text\) for item \d+$/],
			[{ user: null }, /^Username is set but resolved to nothing \(null\) for item \d+$/],
			[{}, /^Username is set but resolved to nothing \(undefined\) for item \d+$/],
			[{ user: '..' }, /^Username cannot be "\." or "\.\."/],
			[{ user: 'a\uD800b' }, /^Username is not well-formed text/],
			[{ user: 'captive' }, /^Knetik Cloud answered HTTP 200 with text\/html, not the documented HTTP 200 with a JSON object$/],
			[{ user: 'slow' }, /^Knetik Cloud did not answer within 2 seconds$/],
			[{ user: 'accepted' }, /^Knetik Cloud answered HTTP 202 with application\/json, not the documented HTTP 200 with a JSON object$/],
			[{ user: 'nobody' }, /^Knetik Cloud: Token not found$/],
		];
		const items = Array.from({ length: 203 }, (_, index) =>
			index % 7 === 0 ? { ...failures[(index / 7) % failures.length][0] } : { user: 'ada', client: `client-${index % 4}` },
		) as IDataObject[];
		const user = knetik.addAdminUser();
		const credential = n8n.addCredential('knetikCloudPasswordOAuth2Api', { baseUrl: knetik.server.url, ...user, clientId: 'web' });
		const segment = (request: { segments: string[] }) => request.segments[2];
		knetik.server.answerWhen((request) => segment(request) === 'captive', html);
		knetik.server.answerWhen((request) => segment(request) === 'slow', { status: 0 });
		knetik.server.answerWhen((request) => segment(request) === 'accepted', { status: 202, body: { queued: true } });

		const result = await n8n.run({
			...knetikRun('get', { authentication: 'password', username: '={{ $json.user }}', clientId: '={{ $json.client ?? "client-0" }}', requestOptions: { timeout: 2000 } }),
			credentials: { knetikCloudPasswordOAuth2Api: credential },
			items,
			continueOnFail: true,
		});

		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(203);
		result.items.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(typeof item.json).toBe('object');
			if (index % 7 === 0) {
				const [, message] = failures[(index / 7) % failures.length];
				expect(item.json.error).toMatch(message);
				expect(item.error).toBeDefined();
			} else {
				expect(item.json).toEqual({ username: 'ada', client_id: `client-${index % 4}`, token: expect.stringMatching(/^stored-ada-/) });
			}
		});
		// One token request for all items; the refused items never reached Knetik.
		expect(knetik.server.requestsTo('/oauth/token')).toHaveLength(1);
		const reached = items.filter((item) => ['ada', 'captive', 'slow', 'accepted', 'nobody'].includes(String(item.user)));
		expect(knetikAdminCalls()).toHaveLength(reached.length);
	}, 20_000);
});

test('Custom API Call is refused when n8n has added it to the options, as n8n 2.41 does when it loads the package', async () => {
	const node = new KnetikCloud();
	const original = node.description;
	node.description = {
		...original,
		properties: original.properties.map((property) =>
			property.name === 'operation'
				? { ...property, options: [...(property.options ?? []), { name: 'Custom API Call', value: '__CUSTOM_API_CALL__' }] }
				: property,
		),
	};
	registerNodeDescription(node.description);
	const harness = new N8nHarness([node], [new KnetikCloudOAuth2Api()]);
	const client = knetik.addAdminClient();
	const credential = harness.addCredential('knetikCloudOAuth2Api', { baseUrl: knetik.server.url, clientId: client.id, clientSecret: client.secret });
	const result = await harness.run({
		node: 'knetikCloud',
		parameters: { authentication: 'clientCredentials', resource: 'token', operation: '__CUSTOM_API_CALL__' },
		credentials: { knetikCloudOAuth2Api: credential },
	});
	registerNodeDescription(original);
	expect(errorOf(result).message).toBe('Custom API Call is not an operation of the Knetik Cloud node: use the HTTP Request node with this credential');
	expect(knetik.server.requests).toEqual([]);
});

test('Continue On Fail, Run:ai Create: 210 items, every 7th refused for its input or failed by the answer', async () => {
	const failures: [IDataObject, RegExp][] = [
		[{ clientId: 'x'.repeat(256) }, /^Client ID must be at most 255 characters$/],
		[{ agent: 'n8n\r\nX-Injected: yes' }, /^User-Agent is sent as an HTTP header/],
		[{ agent: 'n8n ✓' }, /^User-Agent is sent as an HTTP header/],
		[{ agent: '' }, /^User-Agent \(in Options\) is set but resolved to nothing \(empty text\) for item \d+$/],
		[{ secret: null }, /^Client Secret is set but resolved to nothing \(null\) for item \d+$/],
		[{ clientId: 'captive' }, /^Run:ai answered HTTP 200 with text\/html, not the documented HTTP 200 with a JSON object$/],
		[{ clientId: 'broken' }, /^Run:ai answered HTTP 200 with application\/json, not the documented HTTP 200 with a JSON object$/],
		[{ secret: 'wrong-secret' }, /^Run:ai: Invalid credentials/],
	];
	const items = Array.from({ length: 210 }, (_, index) => ({
		clientId: RUNAI_CLIENT.id,
		secret: RUNAI_CLIENT.secret,
		agent: `n8n/${index}`,
		...(index % 7 === 0 ? failures[(index / 7) % failures.length][0] : {}),
	})) as IDataObject[];
	const sentClientId = (request: { body: unknown }) => (request.body as { clientID?: string } | undefined)?.clientID;
	runai.server.answerWhen((request) => sentClientId(request) === 'captive', html);
	runai.server.answerWhen((request) => sentClientId(request) === 'broken', {
		status: 200,
		rawBody: '{"accessToken": "trunc',
		headers: { 'content-type': 'application/json' },
	});

	const result = await n8n.run({
		...runAiRun('create', {
			grantType: 'client_credentials',
			clientCredentialsFrom: 'node',
			clientId: '={{ $json.clientId }}',
			clientSecret: '={{ $json.secret }}',
			options: { userAgent: '={{ $json.agent }}' },
		}),
		items,
		continueOnFail: true,
	});

	expect(result.error).toBeUndefined();
	expect(result.items).toHaveLength(210);
	result.items.forEach((item, index) => {
		expect(item.pairedItem).toEqual({ item: index });
		if (index % 7 === 0) {
			expect(item.json.error).toMatch(failures[(index / 7) % failures.length][1]);
		} else {
			expect(item.json).toEqual(expect.objectContaining({ accessToken: expect.stringMatching(/^runai_at_/) }));
		}
	});
	// Items refused for their input sent nothing; the others (180 good, 10 failed by the answer) were sent once each.
	expect(runai.server.requests).toHaveLength(190);
	expect(runai.server.requests.every((request) => !/[\r\n]/.test(String(request.headers['user-agent'])))).toBe(true);
});

test('stop mode: n8n hands a refusal on as a NodeApiError with the same message and description', async () => {
	const result = await n8n.run(c2mRun('revoke', { id: '={{ $json.id }}' }, [{ id: '' }]));
	const error = errorOf(result);
	expect(error.message).toBe('Token ID is set but resolved to nothing (empty text) for item 0');
	expect(error.description).toMatch(/Nothing was sent to C2M\.$/);
	// routing-node.js (n8n-core 2.41.1) wraps whatever an item's request promise rejects with
	// that is not a NodeApiError; a declarative node has no earlier place to refuse an item.
	expect(error.name).toBe('NodeApiError');
	expect(c2m.server.requests).toHaveLength(0);
});
