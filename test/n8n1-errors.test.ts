/**
 * n8n 1.x's NodeApiError keeps nothing of the HTTP error it wraps: n8n-workflow 1.x's
 * ExecutionBaseError declares `cause` as a class field, which resets the cause the native
 * Error had set. Every failed authenticated request then reached the nodes as n8n's generic
 * message for the status ("Bad request - please check your parameters"), with no status,
 * headers or body. These tests run the nodes on n8n-core with n8n-workflow's NodeApiError
 * behaving that way (n8n-core throws it too), and check what the user sees. The e2e suite
 * checks the same against a real n8n 1.x (`npm run test:e2e:n8n1`).
 */
import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { createMocks } from '../scripts/mocks.ts';
import type { N8nHarness, RunOptions } from './harness/n8n.ts';
import { CLOUD_API_KEY, SHARE_TOKEN } from '../scripts/mock/confluent.ts';
import { MockServer } from '../scripts/mock/server.ts';
import { errorOf, harnessWithEverything, serveDuringTests } from './support.ts';

jest.mock('n8n-workflow', () => {
	const actual = jest.requireActual('n8n-workflow');
	class NodeApiErrorOfN8n1 extends actual.NodeApiError {
		constructor(node: unknown, errorResponse: unknown, options?: unknown) {
			super(node, errorResponse, options);
			// A NodeApiError passed in is handed back as it is, in n8n 1.x as in 2.x.
			if (this !== errorResponse) Object.defineProperty(this, 'cause', { value: undefined, enumerable: true, writable: true });
		}
	}
	return { ...actual, NodeApiError: NodeApiErrorOfN8n1 };
});

const { confluent, knetik, c2m } = createMocks();
const otherOrigin = new MockServer({ name: 'other origin', routes: [], errorBody: (_status, message) => ({ message }) });
let n8n: N8nHarness;

serveDuringTests([confluent.server, knetik.server, c2m.server, otherOrigin]);
beforeEach(() => {
	n8n = harnessWithEverything();
	confluent.rateLimit = undefined;
	confluent.shareTokens.set(SHARE_TOKEN, { redeemed: false });
});

function getResources(token = SHARE_TOKEN): RunOptions {
	return {
		node: 'confluentCloud',
		parameters: { resource: 'sharedToken', operation: 'getResources', token },
		credentials: {
			confluentCloudApi: n8n.addCredential('confluentCloudApi', {
				apiKey: CLOUD_API_KEY.key,
				apiSecret: CLOUD_API_KEY.secret,
				baseUrl: confluent.server.url,
			}),
		},
	};
}

test('the NodeApiError here drops its cause, as n8n 1.x’s does', () => {
	const wrapped = new NodeApiError({ name: 'n' } as INode, new Error('HTTP 400') as unknown as JsonObject);
	expect(wrapped.cause).toBeUndefined();
});

test('an error status shows the provider’s message, status, code and request id from its header', async () => {
	const error = errorOf(await n8n.run(getResources('not a token!')));
	const requestId = confluent.server.requests.at(-1)!.response?.headers?.['x-request-id'];

	expect(error.message).toBe('Confluent Cloud: The shared token is malformed');
	expect(error.description).toContain('HTTP 400 Bad Request, code invalid_token');
	expect(error.description).toContain(`Request ID: ${requestId}.`);
	expect((error as NodeApiError).httpCode).toBe('400');
	expect(confluent.server.requests).toHaveLength(1);
});

test('a 429 says when to retry, from the Retry-After header', async () => {
	confluent.rateLimit = { limit: 1, resetSeconds: 30 };
	await n8n.run(getResources());
	const error = errorOf(await n8n.run(getResources()));

	expect(error.message).toBe('Confluent Cloud answered HTTP 429 Too Many Requests');
	expect(error.description).toContain('Retry in 30 seconds');
});

test('C2M’s 404 on Revoke shows C2M’s message', async () => {
	const longTerm = n8n.addCredential('c2mLongTermTokenApi', { longTermToken: c2m.longTermToken(), baseUrl: c2m.server.url });
	const error = errorOf(
		await n8n.run({
			node: 'c2m',
			parameters: { resource: 'token', operation: 'revoke', authentication: 'longTermToken', id: 'tok_lt_nope' },
			credentials: { c2mLongTermTokenApi: longTerm },
		}),
	);

	expect(error.message).toBe('C2M: Token tok_lt_nope was not found');
	expect(error.description).toContain('HTTP 404 Not Found, code not_found');
});

test('a redirect within the origin is followed, and one to another origin is refused before anything is sent there', async () => {
	confluent.server.redirectNext(307, `${confluent.server.url}/cdx/v1/shared-tokens:resources`);
	expect((await n8n.run(getResources())).error).toBeUndefined();
	expect(confluent.server.requests.map((request) => request.response?.status)).toEqual([307, 200]);

	confluent.server.redirectNext(307, `${otherOrigin.url}/cdx/v1/shared-tokens:resources`);
	const error = errorOf(await n8n.run(getResources()));
	expect(error.message).toMatch(/^Confluent Cloud redirected the request to another address \(http:\/\/127\.0\.0\.1:\d+\), which is not followed$/);
	expect(otherOrigin.requests).toEqual([]);
});

test.each([
	['stored', false],
	// n8n resolves such a credential per item; the package passes each item's own copy.
	['set by an expression on the item', true],
])('after a 401, n8n renews the credential’s token and resends: one refused request, as on 2.x (client secret %s)', async (_, byExpression) => {
	const client = knetik.addAdminClient();
	const credential = n8n.addCredential('knetikCloudOAuth2Api', {
		baseUrl: knetik.server.url,
		clientId: client.id,
		clientSecret: byExpression ? '={{ $json.secret }}' : client.secret,
	});
	const getAll: RunOptions = {
		items: [{ secret: client.secret }],
		node: 'knetikCloud',
		parameters: { authentication: 'clientCredentials', resource: 'token', operation: 'getAll', limit: 1 },
		credentials: { knetikCloudOAuth2Api: credential },
	};
	await n8n.run(getAll);
	knetik.expireBearerTokens();
	knetik.server.clearRequests();

	const result = await n8n.run(getAll);

	expect(result.error).toBeUndefined();
	const calls = knetik.server.requests.filter((request) => request.rawPath.startsWith('/auth/tokens'));
	// The 401 comes back as an answer; the item's token is emptied, so n8n renews it before resending.
	expect(calls.map((call) => call.response?.status)).toEqual([401, 200]);
	expect(knetik.server.requestsTo('/oauth/token')).toHaveLength(1);
});
