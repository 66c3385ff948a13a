/**
 * `npm run bench`: what a request through this package costs, next to n8n's own HTTP Request
 * node and a raw HTTP client making the same requests, measured side by side in one run and
 * one process against the loopback mocks. The nodes run in n8n-core's WorkflowExecute (the
 * HTTP Request node is the real one, from the pinned n8n install), so the ratios show what the
 * package adds:
 * 1. a node operation: validation, error mapping and pairing on top of the request;
 * 2. a token-managing credential with no token yet: one shared token fetch before the calls.
 *
 * It prints timings and ratios; nothing here passes or fails.
 */
import '../test/setup-env.ts';

import got from 'got';

import { ConfluentCloudApi } from '../credentials/ConfluentCloudApi.credentials';
import { RunAiApi } from '../credentials/RunAiApi.credentials';
import { ConfluentCloud } from '../nodes/ConfluentCloud/ConfluentCloud.node';
import { N8nHarness, type RunOptions } from '../test/harness/n8n.ts';
import { httpRequestNode } from '../test/support.ts';
import { CLOUD_API_KEY, ConfluentMock, SHARE_TOKEN } from '../test/mock/confluent.ts';
import { RunAiMock } from '../test/mock/runai.ts';
import { ensureN8n } from './n8n.ts';

const ITEMS = Number(process.env.BENCH_ITEMS ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

async function timed(run: () => Promise<void>): Promise<number> {
	const started = process.hrtime.bigint();
	await run();
	return Number(process.hrtime.bigint() - started) / 1e6;
}

type Variant = [name: string, run: () => Promise<void>];

/** Runs the variants in turn, round after round, and prints each one's median and ratios. */
async function compare(title: string, variants: Variant[]): Promise<string[]> {
	// A warm-up round, then rounds that take the variants in turn, so that whatever else the
	// machine does weighs on all of them alike.
	for (const [, run] of variants) await run();
	const times = new Map<string, number[]>(variants.map(([name]) => [name, []]));
	for (let round = 0; round < ROUNDS; round++) {
		for (const [name, run] of variants) times.get(name)!.push(await timed(run));
	}
	const [[rawName], [nodeName], [oursName]] = variants;
	const medians = new Map([...times].map(([name, values]) => [name, median(values)]));
	const raw = medians.get(rawName)!;
	return [
		`${title}: ${ITEMS} items per run, median of ${ROUNDS} rounds`,
		...[...medians].map(
			([name, ms]) => `  ${name.padEnd(34)} ${ms.toFixed(1).padStart(8)} ms  ${(ms / ITEMS).toFixed(3)} ms/item  ${(ms / raw).toFixed(2)}x raw`,
		),
		`  ${oursName} / ${nodeName}: ${(medians.get(oursName)! / medians.get(nodeName)!).toFixed(2)}x`,
	];
}

async function main() {
	ensureN8n();
	const confluent = await new ConfluentMock().server.start();
	const runai = new RunAiMock();
	await runai.server.start();
	const n8n = new N8nHarness([new ConfluentCloud()], [new ConfluentCloudApi(), new RunAiApi()]);
	n8n.addNodeType('n8n-nodes-base.httpRequest', httpRequestNode());
	const items = Array.from({ length: ITEMS }, () => ({}));
	const succeeds = (options: RunOptions) => async () => {
		const result = await n8n.run(options);
		if (result.error || result.items.length !== ITEMS) {
			throw new Error(`The run failed: ${result.error?.message ?? `${result.items.length} items`}`);
		}
	};
	const httpRequest = (parameters: Record<string, unknown>, credentials: RunOptions['credentials']) =>
		succeeds({
			node: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			parameters: { authentication: 'predefinedCredentialType', options: {}, ...parameters },
			credentials,
			items,
		});

	const apiKey = {
		confluentCloudApi: n8n.addCredential('confluentCloudApi', {
			apiKey: CLOUD_API_KEY.key,
			apiSecret: CLOUD_API_KEY.secret,
			baseUrl: confluent.url,
		}),
	};
	const resourcesUrl = `${confluent.url}/cdx/v1/shared-tokens:resources`;
	const operation = await compare('1. Confluent Cloud Get Resources with an API key', [
		[
			'raw HTTP client (got)',
			async () => {
				await Promise.all(
					items.map(() =>
						got
							.post(resourcesUrl, { json: { token: SHARE_TOKEN }, username: CLOUD_API_KEY.key, password: CLOUD_API_KEY.secret })
							.json(),
					),
				);
			},
		],
		[
			'n8n HTTP Request node',
			httpRequest(
				{
					method: 'POST',
					url: resourcesUrl,
					nodeCredentialType: 'confluentCloudApi',
					sendBody: true,
					specifyBody: 'json',
					jsonBody: JSON.stringify({ token: SHARE_TOKEN }),
				},
				apiKey,
			),
		],
		[
			'Confluent Cloud node',
			succeeds({
				node: 'confluentCloud',
				parameters: { resource: 'sharedToken', operation: 'getResources', token: SHARE_TOKEN },
				credentials: apiKey,
				items,
			}),
		],
	]);

	// Each run starts from a credential of a new Run:ai application, so it has no token yet.
	const clustersUrl = `${runai.server.url}/api/v1/clusters`;
	const tokenOfNewRunAiClient = async () => {
		const client = runai.addClient();
		const body = await got
			.post(`${runai.server.url}/api/v1/token`, { json: { grantType: 'client_credentials', clientID: client.id, clientSecret: client.secret } })
			.json<{ accessToken: string }>();
		return body.accessToken;
	};
	const freshRunAiCredential = () => {
		const client = runai.addClient();
		return { runAiApi: n8n.addCredential('runAiApi', { baseUrl: runai.server.url, clientId: client.id, clientSecret: client.secret }) };
	};
	const lifecycle = await compare('2. Run:ai GET /api/v1/clusters, starting without a token', [
		[
			'raw client: token, then calls',
			async () => {
				const accessToken = await tokenOfNewRunAiClient();
				await Promise.all(items.map(() => got(clustersUrl, { headers: { authorization: `Bearer ${accessToken}` } }).json()));
			},
		],
		[
			'HTTP Request node, pasted token',
			async () => {
				const accessToken = await tokenOfNewRunAiClient();
				const pasted = { runAiApi: n8n.addCredential('runAiApi', { baseUrl: runai.server.url, authentication: 'accessToken', accessToken }) };
				await httpRequest({ method: 'GET', url: clustersUrl, nodeCredentialType: 'runAiApi' }, pasted)();
			},
		],
		[
			'HTTP Request node, managed token',
			async () => {
				await httpRequest({ method: 'GET', url: clustersUrl, nodeCredentialType: 'runAiApi' }, freshRunAiCredential())();
			},
		],
	]);

	await Promise.all([confluent.stop(), runai.server.stop()]);
	process.stdout.write(`${[...operation, '', ...lifecycle].join('\n')}\n`);
	const tokenRequests = runai.server.requestsTo('/api/v1/token').length;
	const runs = 3 * (ROUNDS + 1);
	process.stdout.write(`  token requests in part 2: ${tokenRequests} in ${runs} runs of ${ITEMS} items, one per run\n`);
}

main().catch((error: unknown) => {
	process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
	process.exitCode = 1;
});
