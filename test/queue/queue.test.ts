/**
 * `npm run test:queue`: the package in n8n's queue mode (scripts/queue.ts): PostgreSQL, Redis,
 * n8n main and two workers. Workflows are started through production webhooks, so main only
 * enqueues them and a worker runs them. Each worker reaches the mocks through a proxy of its
 * own, which tells the test which worker sent what.
 *
 * Workers run one job at a time here (`--concurrency=1`), so that while one worker holds a
 * waiting execution the next job must go to the other: which worker runs what is then
 * decided, not left to chance.
 */
import { randomUUID } from 'node:crypto';

import { RECIPE_SHARE_TOKEN, type RunningMocks } from '../../scripts/mocks.ts';
import { startQueueCluster, type ProxiedRequest, type QueueCluster } from '../../scripts/queue.ts';
import { exampleWorkflows } from '../../scripts/sandbox.ts';
import { C2M_CLIENT } from '../../scripts/mock/c2m.ts';
import { SHARE_TOKEN } from '../../scripts/mock/confluent.ts';
import { chainWorkflow, httpRequest, items, type NodeSpec } from '../e2e/workflows.ts';

jest.setTimeout(600_000);

interface WorkflowNode {
	name: string;
	type: string;
	[key: string]: unknown;
}

/**
 * The workflow with its Manual Trigger replaced by a production webhook at `/webhook/<path>`, and
 * active. It answers with the output of the node that ran last, once the worker is done, or at once.
 */
function triggeredByWebhook(json: string, path: string, responseMode: 'lastNode' | 'onReceived' = 'lastNode'): string {
	const workflow = JSON.parse(json) as { nodes: WorkflowNode[]; active: boolean };
	workflow.nodes = workflow.nodes.map((node) =>
		node.type === 'n8n-nodes-base.manualTrigger'
			? {
					id: node.id,
					name: node.name,
					position: node.position,
					type: 'n8n-nodes-base.webhook',
					typeVersion: 2,
					webhookId: randomUUID(),
					parameters: { httpMethod: 'POST', path, responseMode, responseData: 'allEntries', options: {} },
				}
			: node,
	);
	workflow.active = true;
	return JSON.stringify(workflow);
}

// ---------------------------------------------------------------------------------------------
// The token-managing credentials, each used by one call that the API rejects once its token dies.

const credential = {
	knetikClient: { knetikCloudOAuth2Api: { id: 'tlKnetikOAuth201', name: 'Knetik Cloud OAuth2 API (sandbox)' } },
	knetikPassword: { knetikCloudPasswordOAuth2Api: { id: 'tlKnetikPasswd01', name: 'Knetik Cloud Password OAuth2 API (sandbox)' } },
	c2mShortTerm: { c2mShortTermTokenApi: { id: 'tlC2mShortTerm01', name: 'C2M Automatic Short-Term Token API (sandbox)' } },
	confluentPool: { confluentCloudIdentityPoolOAuth2Api: { id: 'tlConfluentPool1', name: 'Confluent Cloud Identity Pool (sandbox)' } },
	runAi: { runAiApi: { id: 'tlRunAiApi000001', name: 'Run:ai API (sandbox)' } },
};
type CredentialName = keyof typeof credential;
const CREDENTIALS = Object.keys(credential) as CredentialName[];

/** A call to `url` with a credential of this package in n8n's HTTP Request node, once per run. */
const httpCall = (name: string, url: string, credentials: Record<string, { id: string; name: string }>): NodeSpec => ({
	...httpRequest(name, url, credentials),
	executeOnce: true,
});

/** One authenticated call per credential; each node's name ends with the round. */
function callsWithEveryCredential(round: string, c2mTokenToRevoke: string): NodeSpec[] {
	const list = (authentication: string): Record<string, unknown> => ({ authentication, operation: 'getAll', limit: 1, filters: {}, sort: {} });
	return [
		{ name: `knetikClient ${round}`, type: 'knetikCloud', parameters: list('clientCredentials'), credentials: credential.knetikClient, executeOnce: true },
		{ name: `knetikPassword ${round}`, type: 'knetikCloud', parameters: list('password'), credentials: credential.knetikPassword, executeOnce: true },
		{
			name: `c2mShortTerm ${round}`,
			type: 'c2m',
			// Revoking is idempotent: the same token can be revoked on every run.
			parameters: { resource: 'token', operation: 'revoke', authentication: 'shortTermToken', id: c2mTokenToRevoke },
			credentials: credential.c2mShortTerm,
			executeOnce: true,
		},
		httpCall(`confluentPool ${round}`, 'https://api.confluent.cloud/org/v2/environments', credential.confluentPool),
		httpCall(`runAi ${round}`, 'https://example.run.ai/api/v1/clusters', credential.runAi),
	];
}

/** The token requests each credential makes, told apart by path (and Knetik's grant) at the proxies. */
const isTokenRequest: Record<CredentialName, (request: ProxiedRequest) => boolean> = {
	knetikClient: (request) => request.url.pathname === '/oauth/token' && request.body.includes('grant_type=client_credentials'),
	knetikPassword: (request) => request.url.pathname === '/oauth/token' && request.body.includes('grant_type=password'),
	c2mShortTerm: (request) => request.url.pathname.endsWith('/auth/tokens/short'),
	// The identity pool's token is the STS exchange (after a JWT from the identity provider).
	confluentPool: (request) => request.url.pathname === '/sts/v1/oauth2/token',
	runAi: (request) => request.url.pathname === '/api/v1/token' && !request.headers.authorization,
};

// ---------------------------------------------------------------------------------------------

const examples = exampleWorkflows();
const BURST_ITEMS = 20;
const BURST_EXECUTIONS = 50;
let cluster: QueueCluster;
let c2mTokenToRevoke: string;

beforeAll(async () => {
	const say = (line: string) => process.stdout.write(`[queue] ${line}\n`);
	const started = Date.now();
	cluster = await startQueueCluster({
		workerConcurrency: 1,
		say,
		workflows: (mocks: RunningMocks) => {
			c2mTokenToRevoke = mocks.mocks.c2m.issueLongTermToken().id;
			return [
				...examples.map((example) => triggeredByWebhook(example.json, example.id.toLowerCase())),
				triggeredByWebhook(
					chainWorkflow('queueLong', 'Queue: every credential, wait, every credential again', [
						...callsWithEveryCredential('before', c2mTokenToRevoke),
						{ name: 'Wait', type: 'n8n-nodes-base.wait', typeVersion: 1.1, parameters: { resume: 'timeInterval', amount: 15, unit: 'seconds' } },
						...callsWithEveryCredential('after', c2mTokenToRevoke),
					]),
					'queue-long',
				),
				triggeredByWebhook(chainWorkflow('queueShort', 'Queue: every credential', callsWithEveryCredential('once', c2mTokenToRevoke)), 'queue-short'),
				triggeredByWebhook(
					chainWorkflow('queueBurst', 'Queue: 20 items with one token credential', [
						...items(Array.from({ length: BURST_ITEMS }, (_, index) => ({ index: String(index) }))),
						{ name: 'List tokens', type: 'knetikCloud', parameters: { authentication: 'clientCredentials', operation: 'getAll', limit: 1 }, credentials: credential.knetikClient },
					]),
					'queue-burst',
					// n8n's main can miss a queued job's end in a burst (Bull's job.finished() checks, then listens),
					// and its webhook then never answers: the burst is not about that, so it waits on the API instead.
					'onReceived',
				),
			];
		},
	});
	say(`Cluster started in ${Math.round((Date.now() - started) / 1000)} s.`);
});

afterAll(async () => {
	const stopping = Date.now();
	await cluster?.stop();
	process.stdout.write(`[queue] Cluster stopped in ${Math.round((Date.now() - stopping) / 1000)} s.\n`);
});

/** Calls a production webhook and returns the items of the node that ran last. */
async function trigger(path: string): Promise<Array<Record<string, unknown>>> {
	const response = await fetch(`${cluster.url}/webhook/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
	const text = await response.text();
	if (!response.ok) throw new Error(`Webhook ${path}: HTTP ${response.status} ${text}`);
	return text === '' ? [] : (JSON.parse(text) as Array<Record<string, unknown>>);
}

/** The instances whose log says they started an execution of the workflow. */
function ranOn(workflowId: string): string[] {
	return [cluster.main, ...cluster.workers]
		.filter((instance) =>
			instance
				.records()
				.some((record) => record.message.startsWith('Worker started execution') && JSON.stringify(record).includes(`"workflowId":"${workflowId}"`)),
		)
		.map((instance) => instance.name);
}

async function waitUntil(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

const tokenRequests = (name: CredentialName, worker: string, from = 0, to = Infinity) =>
	cluster.proxied.filter((request) => request.via === worker && request.at >= from && request.at < to && isTokenRequest[name](request)).length;

describe('token-managing credentials across two workers', () => {
	test('a token fetched on one worker is reused by the other; after it dies, renewal on one worker does not break the execution running on the other', async () => {
		// The long execution takes one worker and holds it for 15 s in its Wait node.
		const long = trigger('queue-long');
		let longFailed: Error | undefined;
		const longResult = long.then(
			(items) => ({ items, finishedAt: Date.now() }),
			(error: Error) => ({ error: (longFailed = error) }),
		);
		const runAiBefore = (request: ProxiedRequest) => request.url.pathname === '/api/v1/clusters';
		await waitUntil('the long execution to call every API once', () => {
			// A failed start (a 404 from the webhook) is reported as itself, not as a timeout.
			if (longFailed) throw longFailed;
			return cluster.proxied.some(runAiBefore);
		});
		const holder = cluster.proxied.find(runAiBefore)?.via as string;
		const other = cluster.workers.map((worker) => worker.name).find((name) => name !== holder) as string;

		// Lifetime 1: the other worker runs an execution with the tokens the holder fetched.
		await trigger('queue-short');
		const expiredAt = Date.now();
		const { mocks } = cluster.mocks;
		mocks.knetik.expireBearerTokens();
		mocks.c2m.expireShortTermTokens();
		mocks.confluent.expireStsTokens();
		mocks.runAi.expireAccessTokens();

		// Lifetime 2: the other worker meets 401s and renews every token while the long execution waits.
		await trigger('queue-short');
		const secondShortDone = Date.now();
		const result = await longResult;
		if ('error' in result) throw result.error;

		// Which worker ran what: the executions went through the queue, none ran on main.
		expect(ranOn('queueLong')).toEqual([holder]);
		expect(ranOn('queueShort')).toEqual([other]);
		const afterRound = cluster.proxied.filter((request) => request.via === holder && request.at > expiredAt);
		expect(afterRound.length).toBeGreaterThan(0);
		// The long execution's second round came after the other worker had renewed the tokens.
		expect(Math.min(...afterRound.map((request) => request.at))).toBeGreaterThan(secondShortDone);

		const counts = CREDENTIALS.map((name) => ({
			credential: name,
			[`${holder} lifetime 1`]: tokenRequests(name, holder, 0, expiredAt),
			[`${other} lifetime 1`]: tokenRequests(name, other, 0, expiredAt),
			[`${holder} lifetime 2`]: tokenRequests(name, holder, expiredAt),
			[`${other} lifetime 2`]: tokenRequests(name, other, expiredAt),
		}));
		process.stdout.write(
			`[queue] Token requests per credential and worker (${holder} ran the long execution, ${other} the short ones; lifetime 2 starts when the mocks expired every token):\n` +
				counts.map((row) => `[queue]   ${JSON.stringify(row)}\n`).join(''),
		);
		for (const name of CREDENTIALS) {
			// Lifetime 1: one token, fetched by the worker that needed it first, reused by the other.
			expect({ name, requests: tokenRequests(name, holder, 0, expiredAt) }).toEqual({ name, requests: 1 });
			expect({ name, requests: tokenRequests(name, other, 0, expiredAt) }).toEqual({ name, requests: 0 });
			// Lifetime 2: the worker that met the 401 first renewed it, and the other worker took the
			// renewed token from the database rather than sending its own dead one.
			expect({ name, requests: tokenRequests(name, other, expiredAt) }).toEqual({ name, requests: 1 });
			expect({ name, requests: tokenRequests(name, holder, expiredAt) }).toEqual({ name, requests: 0 });
		}
		// All three executions succeeded: their last node's output came back through main.
		expect(result.items).toHaveLength(1);
	});
});

describe('one token credential under load', () => {
	test(`${BURST_EXECUTIONS} executions of ${BURST_ITEMS} items: at most one token request per worker and token lifetime, and at most one 401 per worker after the provider drops its tokens mid-run`, async () => {
		const workers = cluster.workers.map((worker) => worker.name);
		/** List calls that the API answered with `status`, through `worker` (any when undefined), from `from` on. */
		const listCalls = (status: number, worker?: string, from = 0) =>
			cluster.proxied.filter((request) => (worker === undefined || request.via === worker) && request.at >= from && request.url.pathname === '/auth/tokens' && request.status === status).length;
		const listed = () => listCalls(200);
		const burst = async (count: number) => {
			const before = listed();
			await Promise.all(Array.from({ length: count }, async () => await trigger('queue-burst')));
			// Every item of every execution listed its tokens.
			await waitUntil(`${count} executions of ${BURST_ITEMS} items to list their tokens`, () => listed() - before >= count * BURST_ITEMS, 120_000);
		};

		const started = Date.now();
		await burst(BURST_EXECUTIONS / 2);
		const droppedAt = Date.now();
		cluster.mocks.mocks.knetik.expireBearerTokens();
		await burst(BURST_EXECUTIONS / 2);

		const counts = workers.map((worker) => ({
			worker,
			executions: cluster.proxied.filter((request) => request.via === worker && request.at >= started && request.url.pathname === '/auth/tokens').length / BURST_ITEMS,
			tokenRequestsLifetime1: tokenRequests('knetikClient', worker, started, droppedAt),
			tokenRequestsLifetime2: tokenRequests('knetikClient', worker, droppedAt),
			refusedAfterDrop: listCalls(401, worker, droppedAt),
		}));
		process.stdout.write(
			`[queue] ${BURST_EXECUTIONS} executions of ${BURST_ITEMS} items, the tokens dropped after ${BURST_EXECUTIONS / 2} (list calls / ${BURST_ITEMS} = executions, with their 401s):\n` +
				counts.map((row) => `[queue]   ${JSON.stringify(row)}\n`).join(''),
		);
		for (const row of counts) {
			const withinBounds = row.tokenRequestsLifetime1 <= 1 && row.tokenRequestsLifetime2 <= 1 && row.refusedAfterDrop <= 1;
			expect({ ...row, withinBounds }).toEqual({ ...row, withinBounds: true });
		}
		// Both workers took part, and together they ran every execution.
		expect(counts.every((row) => row.executions > 0)).toBe(true);
		expect(counts.reduce((sum, row) => sum + row.executions, 0)).toBeGreaterThanOrEqual(BURST_EXECUTIONS);
	});
});

describe('the example workflows through the queue', () => {
	const runs = new Map<string, Array<Array<Record<string, unknown>>>>();
	const pathOf = (id: string) => id.toLowerCase();

	beforeAll(async () => {
		// All at once: the queue spreads them over both workers.
		const first = await Promise.all(examples.map(async (example) => [example.id, await trigger(pathOf(example.id))] as const));
		for (const [id, items] of first) runs.set(id, [items]);
		// Second runs: C2M's rotation would revoke the token of the run before; a share token redeems only once.
		for (const id of ['tlExC2mRotate', 'tlExConfluentRdm']) runs.get(id)?.push(await trigger(pathOf(id)));
	});

	test('every example ran on a worker, both workers took jobs, and main ran none', () => {
		const workerOf = examples.map((example) => ranOn(example.id));
		for (const [index, ran] of workerOf.entries()) {
			expect({ example: examples[index].id, ran: ran.filter((name) => name === 'main') }).toEqual({ example: examples[index].id, ran: [] });
			expect(ran.length).toBeGreaterThan(0);
		}
		expect(new Set(workerOf.flat())).toEqual(new Set(cluster.workers.map((worker) => worker.name)));
		expect(cluster.main.records().filter((record) => record.message.startsWith('Enqueued execution')).length).toBeGreaterThanOrEqual(examples.length + 2);
		// Every request the mocks received came through a worker's proxy: main sent none.
		const received = Object.values(cluster.mocks.mocks).reduce((sum, mock) => sum + mock.server.requests.length, 0);
		expect(received).toBe(cluster.proxied.length);
	});

	test('outputs and what the APIs received', () => {
		const { c2m, confluent, knetik, runAi } = cluster.mocks.mocks;
		const last = (id: string, run = 0) => runs.get(id)?.[run] ?? [];

		expect(last('tlExC2mOps')).toEqual([expect.objectContaining({ expires_in: 900, token_id: expect.stringMatching(/^tok_st_/) })]);
		const longTermRequests = c2m.server.requestsTo('/auth/tokens/long').map((request) => request.body as { ttl_seconds: number });
		// One-hour tokens: "C2M: every operation" revokes its own with the C2M node, "C2M: any API call" with the HTTP Request node.
		const oneHour = { grant_type: 'client_credentials', client_id: C2M_CLIENT.id, client_secret: C2M_CLIENT.secret, ttl_seconds: 3600 };
		expect(longTermRequests.filter((body) => body.ttl_seconds === 3600)).toEqual([oneHour, oneHour]);
		const oneHourIds = c2m.server
			.requestsTo('/auth/tokens/long')
			.filter((request) => (request.body as { ttl_seconds: number }).ttl_seconds === 3600)
			.map((request) => (request.response?.body as { token_id: string }).token_id);
		for (const id of oneHourIds) expect(c2m.server.requestsTo(`/auth/tokens/${id}/revoke`).map((request) => request.response?.status)).toEqual([204]);

		// Both rotations issued a token, but the second revoked nothing: n8n 2.41.1 does not hand
		// a workflow's static data to the worker that runs a new execution (the execution's
		// stored workflow snapshot leaves it out, and the worker reloads it only when resuming
		// one), so the Code node never sees the token ID the first run saved. In regular mode
		// the same example revokes it (test/e2e/c2m.test.ts). When n8n fixes this, this fails:
		// then expect the revocation here and drop the warning from the README.
		const issued = c2m.server
			.requestsTo('/auth/tokens/long')
			.filter((request) => (request.body as { ttl_seconds: number }).ttl_seconds === 7_776_000)
			.map((request) => (request.response?.body as { token_id: string }).token_id);
		expect(issued).toHaveLength(2);
		expect(last('tlExC2mRotate', 0)).toEqual([]);
		expect(last('tlExC2mRotate', 1)).toEqual([]);
		expect(c2m.server.requests.filter((request) => request.rawPath.endsWith('/revoke') && issued.some((id) => request.rawPath.includes(id)))).toEqual([]);

		expect(last('tlExConfluentOps')).toEqual([expect.objectContaining({ token_type: 'Bearer', expires_in: 900, access_token: expect.stringMatching(/^sts_/) })]);
		expect(confluent.server.requestsTo('/cdx/v1/shared-tokens:redeem').map((request) => request.body)).toEqual(
			expect.arrayContaining([{ token: SHARE_TOKEN }, { token: RECIPE_SHARE_TOKEN }]),
		);
		expect(last('tlExConfluentHttp')).toEqual([expect.objectContaining({ id: 'env-00000', kind: 'Environment' })]);
		expect(last('tlExConfluentRdm')).toEqual([expect.objectContaining({ api_key: 'SHAREDKAFKAKEY01' })]);
		expect(last('tlExConfluentRdm', 1)).toEqual([
			expect.objectContaining({ reason: 'Confluent Cloud: The shared token has already been redeemed' }),
		]);

		expect(last('tlExKnetikOps')).toEqual([{ deleted: true, username: 'ada', client_id: 'client-3' }]);
		expect(last('tlExKnetikPurge')).toEqual([{ deleted: true, username: 'bob', client_id: null }]);
		expect(knetik.stored.filter((token) => token.username === 'bob')).toEqual([]);

		expect(last('tlExKnetikHttp')).toEqual(expect.arrayContaining([expect.objectContaining({ username: 'ada' })]));

		expect(last('tlExRunAiOps')).toEqual([expect.objectContaining({ accessToken: expect.stringMatching(/^runai_at_/), expiresIn: 3600 })]);
		expect(runAi.server.requestsTo('/api/v1/token').map((request) => (request.body as { grantType: string }).grantType)).toEqual(
			expect.arrayContaining(['refresh_token', 'exchange_token']),
		);
		expect(last('tlExRunAiHttp')).toEqual([expect.objectContaining({ name: 'gpu-cluster' })]);

	});
});
