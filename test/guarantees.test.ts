/**
 * Guarantees that must hold for every request and every error, not only on the path they were
 * first written for: the token a credential manages is hidden like its stored secrets, hiding
 * never fails whatever a secret's size, a node's own URL field and its proxy follow the
 * credential's URL rules, the Timeout bounds the whole answer and its size is capped, Return All follows the API's
 * own end markers, and a credential left over from another resource does not stop an
 * operation that takes none.
 */
import got from 'got';

import { createMocks } from '../scripts/mocks.ts';
import type { N8nHarness, RunOptions } from './harness/n8n.ts';
import { IDENTITY_POOL_ID, CLOUD_API_KEY } from '../scripts/mock/confluent.ts';
import { IDP_CLIENT } from '../scripts/mock/identityProvider.ts';
import { NETWORK_ADDRESS, RecordingProxy } from '../scripts/mock/recordingProxy.ts';
import type { RecordedRequest } from '../scripts/mock/server.ts';
import { errorOf, everythingShown, harnessWithEverything, serveDuringTests } from './support.ts';

const { confluent, identityProvider: idp, runAi: runai, knetik } = createMocks();
const servers = [confluent.server, idp.server, runai.server, knetik.server];
serveDuringTests(servers);

let n8n: N8nHarness;
beforeEach(() => {
	n8n = harnessWithEverything();
	for (const server of servers) {
		server.clearRequests();
		server.clearFaults();
	}
	knetik.maxPageSize = Infinity;
});

function knetikClient(): RunOptions['credentials'] {
	const client = knetik.addAdminClient();
	return {
		knetikCloudOAuth2Api: n8n.addCredential('knetikCloudOAuth2Api', { baseUrl: knetik.server.url, clientId: client.id, clientSecret: client.secret }),
	};
}

function knetikGetAll(parameters: Record<string, unknown> = {}): RunOptions {
	return {
		node: 'knetikCloud',
		parameters: { authentication: 'clientCredentials', resource: 'token', operation: 'getAll', ...parameters },
		credentials: knetikClient(),
	};
}

const listCalls = () => knetik.server.requests.filter((request) => request.rawPath === '/auth/tokens');

describe('the way back: every secret the item knows is hidden', () => {
	test('the access token the credential manages, echoed by the API bare, after Bearer, URL-encoded and in base64', async () => {
		let sent = '';
		knetik.server.answerWhen(
			(request) => request.rawPath === '/auth/tokens',
			(request: RecordedRequest) => {
				sent = String(request.headers.authorization ?? '').replace(/^Bearer /, '');
				const forms = [`Bearer ${sent}`, encodeURIComponent(`${sent}/`), Buffer.from(`token=${sent}`).toString('base64')];
				return { status: 403, body: { result: 'forbidden', message: `Refused: ${forms.join(' ')}` } };
			},
		);
		for (const continueOnFail of [false, true]) {
			const result = await n8n.run({ ...knetikGetAll({ limit: 1 }), continueOnFail });
			expect(sent).toMatch(/\w{8,}/);
			expect((continueOnFail ? result.items[0].error : errorOf(result))?.message).toContain('Refused');
			const shown = everythingShown(result);
			expect(shown).not.toContain(sent);
			expect(shown).not.toContain(Buffer.from(`token=${sent}`).toString('base64').slice(0, 12));
		}
	});

	test('a 100 KB secret is hidden without failing: the field’s own message stays', async () => {
		const secret = 'a'.repeat(100_000);
		const client = runai.addClient();
		const runai100k = { runAiApi: n8n.addCredential('runAiApi', { baseUrl: runai.server.url, authentication: 'clientCredentials', clientId: client.id, clientSecret: client.secret }) };
		const result = await n8n.run({
			node: 'runAi',
			parameters: { resource: 'token', operation: 'create', grantType: 'client_credentials', clientCredentialsFrom: 'node', clientId: client.id, clientSecret: secret },
			credentials: runai100k,
		});
		expect(errorOf(result).message).toBe('Client Secret must be at most 500 characters');
		expect(everythingShown(result)).not.toContain('a'.repeat(50));
	});
});

describe('the door: every address a request contacts follows the URL rules', () => {
	function exchange(baseUrl: string): RunOptions {
		return {
			node: 'confluentCloud',
			parameters: { resource: 'oauthToken', operation: 'exchange', subjectToken: 'a.jwt.value', identityPoolId: IDENTITY_POOL_ID, expiresIn: 600, baseUrl },
		};
	}

	test.each([
		['plain http to another machine', 'http://confluent.example.com', /Base URL uses unencrypted http:\/\//],
		['a user name and password', `http://user:pass@${new URL('http://127.0.0.1').host}:1`, /Base URL must not contain a user name or password/],
		['a query', 'https://api.confluent.cloud/?x=1', /Base URL must not contain a query/],
	])('a node’s own Base URL with %s is refused, naming the field, before anything is sent', async (_case, baseUrl, message) => {
		const result = await n8n.run(exchange(baseUrl));
		expect(errorOf(result).message).toMatch(message);
		expect(confluent.server.requests).toHaveLength(0);
	});

	test('a plain-http proxy on another machine is refused for a plain-http address, before the API key is sent', async () => {
		const result = await n8n.run({ ...knetikGetAll({ limit: 1, requestOptions: { proxy: 'http://10.255.255.1:3128', timeout: 1500 } }) });
		expect(errorOf(result).message).toBe('The proxy would read this http:// request whole, secrets included');
		expect(knetik.server.requests).toHaveLength(0);
	});

	test('in n8n’s HTTP Request node too, the credential refuses a plain-http proxy on another machine for a plain-http address', async () => {
		const client = knetik.addAdminClient();
		const credential = n8n.addCredential('knetikCloudOAuth2Api', { baseUrl: knetik.server.url, clientId: client.id, clientSecret: client.secret });
		const result = await n8n.sendWithCredential('knetikCloudOAuth2Api', credential, {
			url: `${knetik.server.url}/auth/tokens`,
			method: 'GET',
			proxy: { host: '10.255.255.1', port: 3128, protocol: 'http' },
			timeout: 1500,
		});
		expect(errorOf(result).message).toBe('The proxy would read this http:// request whole, secrets included');
		expect(listCalls()).toHaveLength(0);
	});

	describe('a plain-http proxy', () => {
		const proxy = new RecordingProxy();
		beforeAll(async () => await proxy.start());
		afterAll(async () => await proxy.stop());
		beforeEach(() => (proxy.seen.length = 0));

		const getResources = (baseUrl: string, proxyUrl: string) => ({
			node: 'confluentCloud',
			parameters: { resource: 'sharedToken', operation: 'getResources', token: 'share-token-value', requestOptions: { proxy: proxyUrl, timeout: 1000 } },
			credentials: { confluentCloudApi: n8n.addCredential('confluentCloudApi', { baseUrl, apiKey: CLOUD_API_KEY.key, apiSecret: CLOUD_API_KEY.secret }) },
		});

		test(`on another machine (${NETWORK_ADDRESS}) carries an https:// request: n8n asks it for a tunnel, so it sees the host, not the API key`, async () => {
			const result = await n8n.run(getResources('https://127.0.0.1:9', proxy.url()));
			expect(proxy.seen).toEqual(['CONNECT 127.0.0.1:9 authorization: none']);
			expect(errorOf(result).description).toMatch(/went through the proxy in Settings > Request Options > Proxy/);
		});

		test('reads the whole of an http:// request, API key included: why that case is refused off this machine', async () => {
			const result = await n8n.run(getResources(confluent.server.url, proxy.url('127.0.0.1')));
			// Its 502 reads like Confluent's own answer, so the error says a proxy was in the way.
			expect(errorOf(result).message).toBe('Confluent Cloud answered HTTP 502 Bad Gateway');
			expect(errorOf(result).description).toMatch(/The request went through the proxy in Settings > Request Options > Proxy, which may have answered or failed in Confluent Cloud’s place: check it\.$/);
			expect(proxy.seen).toHaveLength(1);
			expect(proxy.seen[0]).toMatch(new RegExp(`^POST ${confluent.server.url}/cdx/v1/shared-tokens:resources authorization: Basic `));
		});
	});
});

describe('time: the Timeout bounds the whole request', () => {
	test('a server that sends its headers and trickles the body fails at the Timeout, not when it is done', async () => {
		const credentials = knetikClient();
		await n8n.run({ ...knetikGetAll({ limit: 1 }), credentials }); // the token, fetched beforehand
		knetik.server.answerWhen((request) => request.rawPath === '/auth/tokens', {
			status: 200,
			body: { content: [], last: true, total_elements: 0, padding: 'x'.repeat(60) },
			trickleMs: 100,
		});
		const result = await n8n.run({ ...knetikGetAll({ limit: 1, requestOptions: { timeout: 1000 } }), credentials });
		expect(errorOf(result).message).toBe('Knetik Cloud did not answer within 1 second');
	});

	test('a credential’s token request that trickles fails at the node’s Timeout', async () => {
		knetik.server.answerWhen((request) => request.rawPath === '/oauth/token', {
			status: 200,
			body: { access_token: 'trickled-token', token_type: 'bearer', expires_in: '3600', padding: 'x'.repeat(60) },
			trickleMs: 100,
		});
		const result = await n8n.run(knetikGetAll({ limit: 1, requestOptions: { timeout: 1000 } }));
		expect(errorOf(result).message).toMatch(/did not answer within 1 second/);
		expect(listCalls()).toHaveLength(0);
	});

	test('a Timeout above what a timer holds (2^31-1 ms) is capped, not a failure at once', async () => {
		const result = await n8n.run(knetikGetAll({ limit: 1, requestOptions: { timeout: 3_000_000_000 } }));
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
	});
});

describe('size: an answer is read up to 10 MB, then dropped', () => {
	const FLOOD = 64 * 1024 * 1024;
	const flooded = (path: string) => knetik.server.requests.find((request) => request.rawPath === path)?.response?.sentBytes ?? 0;

	/** The token is fetched beforehand, so the flood meets the call itself. */
	async function listTokensAnswered(status: number, floodBytes: number) {
		const credentials = knetikClient();
		await n8n.run({ ...knetikGetAll({ limit: 1 }), credentials });
		knetik.server.clearRequests();
		knetik.server.answerWhen((request) => request.rawPath === '/auth/tokens', { status, floodBytes });
		return errorOf(await n8n.run({ ...knetikGetAll({ limit: 1 }), credentials })).message;
	}

	test.each([
		['an operation’s answer', 200, FLOOD, 'Knetik Cloud sent an answer larger than 10 MB, the most the node reads'],
		['an error’s answer: the status is shown, the body is not held', 403, FLOOD, 'Knetik Cloud answered HTTP 403 Forbidden'],
		['an error’s answer just under the cap is searched for secrets without failing', 403, 9 * 1024 * 1024, 'Knetik Cloud answered HTTP 403 Forbidden'],
	])('%s', async (_, status, floodBytes, message) => {
		expect(await listTokensAnswered(status, floodBytes)).toBe(message);
		expect(flooded('/auth/tokens')).toBeLessThan(FLOOD / 2);
	});

	test('a credential’s token request', async () => {
		knetik.server.answerWhen((request) => request.rawPath === '/oauth/token', { status: 200, floodBytes: FLOOD });
		const result = await n8n.run(knetikGetAll({ limit: 1 }));
		expect(errorOf(result).message).toMatch(/^The credential "[^"]+" could not get an access token: Knetik Cloud sent an answer larger than 10 MB, the most the node reads$/);
		expect(flooded('/oauth/token')).toBeLessThan(FLOOD / 2);
		expect(listCalls()).toHaveLength(0);
	});
});

describe('Return All follows the API’s own end markers', () => {
	test('a server that caps the page size below the one asked for still gives every token', async () => {
		knetik.maxPageSize = 50;
		const result = await n8n.run(knetikGetAll({ returnAll: true }));
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(knetik.stored.length);
		expect(listCalls()).toHaveLength(Math.ceil(knetik.stored.length / 50));
	});

	test('a server that ignores the page number and never says last ends with an error saying so', async () => {
		const page = { content: Array.from({ length: 100 }, (_, i) => ({ username: `u${i}`, client_id: 'c', token: null })), last: false, number: 0, size: 100, total_elements: 100_000 };
		knetik.server.answerWhen((request) => request.rawPath === '/auth/tokens', { status: 200, body: page });
		const result = await n8n.run(knetikGetAll({ returnAll: true }));
		expect(errorOf(result).message).toBe('Knetik Cloud sent the same page twice');
		expect(listCalls()).toHaveLength(2);
	});

	test('more entries than the total the API announced end with an error', async () => {
		knetik.server.answerWhen((request) => request.rawPath === '/auth/tokens', (request: RecordedRequest) => {
			const number = Number(request.query.get('page')) - 1;
			const content = Array.from({ length: 100 }, (_, i) => ({ username: `u${number}-${i}`, client_id: 'c', token: null }));
			return { status: 200, body: { content, last: false, number, size: 100, total_elements: 150 } };
		});
		const result = await n8n.run(knetikGetAll({ returnAll: true }));
		expect(errorOf(result).message).toBe('Knetik Cloud sent more entries than the 150 it announced');
		expect(listCalls()).toHaveLength(2);
	});
});

test('a credential left over from another resource does not stop an operation that takes none', async () => {
	const { access_token: jwt } = await got
		.post(`${idp.server.url}/oauth2/token`, { form: { grant_type: 'client_credentials', client_id: IDP_CLIENT.id, client_secret: IDP_CLIENT.secret } })
		.json<{ access_token: string }>();
	const cloud = n8n.addCredential('confluentCloudApi', { baseUrl: confluent.server.url, apiKey: CLOUD_API_KEY.key, apiSecret: CLOUD_API_KEY.secret });
	const result = await n8n.run({
		node: 'confluentCloud',
		parameters: { resource: 'oauthToken', operation: 'exchange', subjectToken: jwt, identityPoolId: IDENTITY_POOL_ID, expiresIn: 600, baseUrl: confluent.server.url },
		credentials: { confluentCloudApi: cloud },
	});
	expect(result.error).toBeUndefined();
	expect(result.items[0].json.access_token).toMatch(/^sts_/);
	expect(confluent.server.requests[0].headers.authorization).toBeUndefined();
});
