/**
 * `npm run bench`: what a request through this package costs next to n8n's own HTTP Request
 * node and a raw HTTP client making the same call with the same credential, measured side by
 * side in one run against the loopback mocks:
 * 1. n8n-core's engine (the project's harness; the HTTP Request node is the real one, from the
 *    pinned n8n) at 10, 100, 1000 and 10,000 items: ms per item, ratios, peak memory;
 * 2. Knetik Return All over 10,000 tokens, against the HTTP Request node's own pagination;
 * 3. a real n8n (`n8n execute`, each node's own executionTime) at 1000 and 10,000 items;
 * 4. what token-managing credentials cost per execution in the real n8n: token requests,
 *    credential writes, 401s (see test/e2e/tokenCost.ts);
 * 5. the tarball npm would publish.
 * It prints a table and writes it to docs/bench.json; nothing here passes or fails.
 * BENCH_SIZES, BENCH_REAL_SIZES and BENCH_PARTS (e.g. "1,2") narrow a run.
 */
import './setup-env.ts';

import got from 'got';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';

import { startRealN8n, type Execution } from './e2e/n8n-cli.ts';
import { measureTokenCosts } from './e2e/tokenCost.ts';
import { chainWorkflow, items as itemNodes } from './e2e/workflows.ts';
import type { N8nHarness, RunOptions } from './harness/n8n.ts';
import { KNETIK_ADMIN_CLIENT, KnetikMock } from '../scripts/mock/knetik.ts';
import { harnessWithEverything } from './support.ts';
import { ensureN8n, httpRequestNode, N8N_VERSION, ROOT } from '../scripts/n8n.ts';

const list = (value: string | undefined, fallback: number[]) => (value ? value.split(',').map(Number) : fallback);
const SIZES = list(process.env.BENCH_SIZES, [10, 100, 1000, 10_000]);
const REAL_SIZES = list(process.env.BENCH_REAL_SIZES, [1000, 10_000]);
const PARTS = new Set(list(process.env.BENCH_PARTS, [1, 2, 3, 4, 5]));
/** Raw-client requests in flight at once: the package's nodes' default. */
const RAW_CONCURRENCY = 20;

const say = (line: string) => process.stdout.write(`${line}\n`);

/** Rounds per size: enough to see the spread where a round is short. */
const roundsFor = (items: number) => (items <= 100 ? 7 : items <= 1000 ? 3 : 1);

interface Spread {
	medianMs: number;
	minMs: number;
	maxMs: number;
	msPerItem: number;
	rounds: number;
	error?: string;
}

function spreadOf(times: number[], items: number): Spread {
	const sorted = [...times].sort((a, b) => a - b);
	const medianMs = sorted[Math.floor(sorted.length / 2)];
	return { medianMs, minMs: sorted[0], maxMs: sorted.at(-1)!, msPerItem: medianMs / items, rounds: times.length };
}

async function timed(run: () => Promise<void>): Promise<number> {
	const started = process.hrtime.bigint();
	await run();
	return Number(process.hrtime.bigint() - started) / 1e6;
}

/** Peak resident memory of this process while `run` runs, sampled every 20 ms. */
async function withPeakMemory<T>(run: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
	let peak = process.memoryUsage().rss;
	const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
	try {
		const result = await run();
		return { result, peakMb: Math.round(peak / 2 ** 20) };
	} finally {
		clearInterval(sampler);
	}
}

/** Sends `count` requests, at most RAW_CONCURRENCY at once. */
async function rawRequests(count: number, send: () => Promise<unknown>): Promise<void> {
	let next = 0;
	await Promise.all(
		Array.from({ length: Math.min(RAW_CONCURRENCY, count) }, async () => {
			while (next++ < count) await send();
		}),
	);
}

type Variant = [name: string, run: (items: number) => Promise<void>];

/** Runs the variants in turn, round after round, so that the machine's load weighs on all alike. */
async function compare(items: number, variants: Variant[]): Promise<Record<string, Spread & { peakMb?: number }>> {
	const rounds = roundsFor(items);
	if (items <= 1000) for (const [, run] of variants) await run(items).catch(() => undefined); // warm-up
	const times = new Map<string, number[]>(variants.map(([name]) => [name, []]));
	const errors = new Map<string, string>();
	const peaks = new Map<string, number>();
	for (let round = 0; round < rounds; round++) {
		for (const [name, run] of variants) {
			if (errors.has(name)) continue;
			try {
				const { result, peakMb } = await withPeakMemory(async () => await timed(async () => await run(items)));
				times.get(name)!.push(result);
				peaks.set(name, Math.max(peaks.get(name) ?? 0, peakMb));
			} catch (error) {
				errors.set(name, (error as Error).message.split('\n')[0].slice(0, 160));
			}
		}
	}
	return Object.fromEntries(
		variants.map(([name]) => {
			const measured = times.get(name)!;
			const spread = measured.length ? spreadOf(measured, items) : ({ rounds: 0 } as Spread);
			return [name, { ...spread, error: errors.get(name), ...(items >= 10_000 ? { peakMb: peaks.get(name) } : {}) }];
		}),
	);
}

const RAW = 'raw client (got, 20 at once)';
const HTTP_NODE = 'n8n HTTP Request node';
const OUR_NODE = 'Knetik Cloud node';

/**
 * The Knetik mock in a process of its own, listening with Node's default backlog: the calls
 * reach it as they would reach a server, and the mock's work does not slow the callers down.
 */
async function knetikMockProcess(): Promise<{ url: string; stop: () => void }> {
	const child = spawn(process.execPath, [process.argv[1], KNETIK_MOCK_FLAG], { stdio: ['pipe', 'pipe', 'inherit'] });
	const url = await new Promise<string>((resolve, reject) => {
		child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8').trim()));
		child.once('exit', (code) => reject(new Error(`The Knetik mock process exited (${code})`)));
	});
	// It ends when its standard input closes, so also when this process dies.
	return { url, stop: () => child.stdin.end() };
}

const KNETIK_MOCK_FLAG = '--knetik-mock';

async function serveKnetikMock(): Promise<void> {
	const knetik = new KnetikMock();
	await knetik.server.start();
	process.stdout.write(`${knetik.server.url}\n`);
	process.stdin.resume();
	process.stdin.on('end', () => process.exit(0));
}

/** Part 1: the same Knetik call (Get one stored token) with the same client-credentials credential. */
async function engineComparison(n8n: N8nHarness, knetikUrl: string) {
	const credential = { knetikCloudOAuth2Api: n8n.addCredential('knetikCloudOAuth2Api', { baseUrl: knetikUrl, clientId: KNETIK_ADMIN_CLIENT.id, clientSecret: KNETIK_ADMIN_CLIENT.secret }) };
	const url = `${knetikUrl}/auth/tokens/ada/client-1`;
	const succeeds = async (options: RunOptions, items: number) => {
		const result = await n8n.run({ ...options, items: Array.from({ length: items }, () => ({})) });
		if (result.error || result.items.length !== items) throw new Error(`The run failed: ${result.error?.message ?? `${result.items.length} items`}`);
	};
	const token = (
		await got
			.post(`${knetikUrl}/oauth/token`, { form: { grant_type: 'client_credentials', client_id: KNETIK_ADMIN_CLIENT.id, client_secret: KNETIK_ADMIN_CLIENT.secret } })
			.json<{ access_token: string }>()
	).access_token;
	const variants: Variant[] = [
		[RAW, async (items) => await rawRequests(items, async () => await got(url, { headers: { authorization: `Bearer ${token}` } }).json())],
		[
			HTTP_NODE,
			async (items) =>
				await succeeds(
					{
						node: 'n8n-nodes-base.httpRequest',
						typeVersion: 4.2,
						parameters: { authentication: 'predefinedCredentialType', nodeCredentialType: 'knetikCloudOAuth2Api', url, options: {} },
						credentials: credential,
					},
					items,
				),
		],
		[
			OUR_NODE,
			async (items) =>
				await succeeds(
					{
						node: 'knetikCloud',
						parameters: { authentication: 'clientCredentials', resource: 'token', operation: 'get', username: 'ada', clientId: 'client-1' },
						credentials: credential,
					},
					items,
				),
		],
	];
	const bySize: Record<string, unknown> = {};
	for (const items of SIZES) {
		const result = await compare(items, variants);
		bySize[items] = {
			...result,
			ratios: {
				ourNodeToHttpRequestNode: result[OUR_NODE].medianMs / result[HTTP_NODE].medianMs,
				ourNodeToRaw: result[OUR_NODE].medianMs / result[RAW].medianMs,
				httpRequestNodeToRaw: result[HTTP_NODE].medianMs / result[RAW].medianMs,
			},
		};
		say(`  ${items} items (${roundsFor(items)} rounds):`);
		for (const [name, spread] of Object.entries(result)) {
			say(
				spread.error
					? `    ${name.padEnd(30)} failed: ${spread.error}`
					: `    ${name.padEnd(30)} ${spread.msPerItem.toFixed(3)} ms/item (median ${spread.medianMs.toFixed(0)} ms, ${spread.minMs.toFixed(0)}-${spread.maxMs.toFixed(0)})${'peakMb' in spread && spread.peakMb ? `, peak RSS ${spread.peakMb} MB` : ''}`,
			);
		}
		say(`    our node / HTTP Request node: ${(result[OUR_NODE].medianMs / result[HTTP_NODE].medianMs).toFixed(2)}x`);
	}
	return bySize;
}

/** Part 2: Return All over 10,000 stored tokens, against the HTTP Request node paging by itself. */
async function returnAll(n8n: N8nHarness, knetik: KnetikMock) {
	const seeded = knetik.stored.length;
	for (let index = seeded; index < 10_000; index++) knetik.stored.push({ username: `user-${index}`, client_id: 'client-1', token: `stored-${index}` } as (typeof knetik.stored)[number]);
	const credential = { knetikCloudOAuth2Api: n8n.addCredential('knetikCloudOAuth2Api', { baseUrl: knetik.server.url, clientId: KNETIK_ADMIN_CLIENT.id, clientSecret: KNETIK_ADMIN_CLIENT.secret }) };
	const ours = async () => {
		const result = await n8n.run({ node: 'knetikCloud', parameters: { authentication: 'clientCredentials', resource: 'token', operation: 'getAll', returnAll: true }, credentials: credential });
		if (result.error || result.items.length !== knetik.stored.length) throw new Error(`Return All failed: ${result.error?.message ?? result.items.length}`);
	};
	const theirs = async () => {
		const result = await n8n.run({
			node: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			parameters: {
				authentication: 'predefinedCredentialType',
				nodeCredentialType: 'knetikCloudOAuth2Api',
				url: `${knetik.server.url}/auth/tokens`,
				sendQuery: true,
				queryParameters: { parameters: [{ name: 'size', value: '100' }] },
				options: {
					pagination: {
						pagination: {
							parameters: { parameters: [{ type: 'qs', name: 'page', value: '={{ $pageCount + 1 }}' }] },
							paginationCompleteWhen: 'other',
							completeExpression: '={{ $response.body.last }}',
							maxRequests: 1000,
						},
					},
				},
			},
			credentials: credential,
		});
		if (result.error || result.items.length !== Math.ceil(knetik.stored.length / 100)) throw new Error(`Pagination failed: ${result.error?.message ?? result.items.length}`);
	};
	const result = await compare(1000, [
		['Knetik Cloud node, Return All', ours],
		['HTTP Request node, its own pagination', theirs],
	]);
	const ratio = result['Knetik Cloud node, Return All'].medianMs / result['HTTP Request node, its own pagination'].medianMs;
	say(`  ${knetik.stored.length} tokens, 100 per page: ours ${result['Knetik Cloud node, Return All'].medianMs?.toFixed(0)} ms, HTTP Request node ${result['HTTP Request node, its own pagination'].medianMs?.toFixed(0)} ms: ${ratio.toFixed(2)}x`);
	knetik.stored.length = seeded;
	return { tokens: 10_000, ...result, ratio };
}

/** Parts 3 and 4: a real n8n. */
async function realN8n() {
	const n8n = await startRealN8n();
	try {
		const results: Record<string, unknown> = {};
		if (PARTS.has(3)) {
			const knetik = n8n.mocks.mocks.knetik;
			const credential = { knetikCloudOAuth2Api: { id: 'tlKnetikOAuth201', name: n8n.credentials.find((c) => c.id === 'tlKnetikOAuth201')!.name } };
			const timeOf = (execution: Execution, node: string) => {
				if (execution.run.data.resultData.error) throw new Error(execution.run.data.resultData.error.message);
				return execution.run.data.resultData.runData[node][0].executionTime;
			};
			for (const items of REAL_SIZES) {
				const entries = Array.from({ length: items }, () => ({ username: 'ada' }));
				const tag = String(items).padStart(6, '0');
				await n8n.importWorkflows([
					chainWorkflow(`tlBenchOurs${tag}`.slice(0, 16), `Bench ${items}: Knetik node`, [
						...itemNodes(entries),
						{ name: 'Knetik', type: 'knetikCloud', parameters: { authentication: 'clientCredentials', resource: 'token', operation: 'get', username: 'ada', clientId: 'client-1' }, credentials: credential },
					]),
					chainWorkflow(`tlBenchHttp${tag}`.slice(0, 16), `Bench ${items}: HTTP Request node`, [
						...itemNodes(entries),
						{
							name: 'HTTP Request',
							type: 'n8n-nodes-base.httpRequest',
							typeVersion: 4.2,
							parameters: { authentication: 'predefinedCredentialType', nodeCredentialType: 'knetikCloudOAuth2Api', url: 'https://example.sandbox.knetikcloud.com/auth/tokens/ada/client-1', options: {} },
							credentials: credential,
						},
					]),
				]);
				const rounds = items >= 10_000 ? 2 : 3;
				const ours: number[] = [];
				const theirs: number[] = [];
				const errors: string[] = [];
				// The n8n process's peak memory in the runs of each node.
				const peakMb = { [OUR_NODE]: 0, [HTTP_NODE]: 0 };
				for (let round = 0; round < rounds; round++) {
					for (const [id, into, node, name] of [[`tlBenchHttp${tag}`, theirs, 'HTTP Request', HTTP_NODE], [`tlBenchOurs${tag}`, ours, 'Knetik', OUR_NODE]] as const) {
						try {
							const execution = await n8n.execute(id.slice(0, 16));
							into.push(timeOf(execution, node));
							peakMb[name] = Math.max(peakMb[name], execution.peakRssMb ?? 0);
						} catch (error) {
							errors.push(`${node}: ${(error as Error).message.split('\n')[0].slice(0, 160)}`);
						}
					}
				}
				void knetik;
				const entry = {
					[OUR_NODE]: ours.length ? { ...spreadOf(ours, items), peakMb: peakMb[OUR_NODE] } : undefined,
					[HTTP_NODE]: theirs.length ? { ...spreadOf(theirs, items), peakMb: peakMb[HTTP_NODE] } : undefined,
					ratio: ours.length && theirs.length ? spreadOf(ours, items).medianMs / spreadOf(theirs, items).medianMs : undefined,
					ratios: ours.map((value, index) => (theirs[index] ? value / theirs[index] : undefined)),
					errors,
				};
				results[items] = entry;
				say(`  ${items} items: Knetik node ${entry[OUR_NODE]?.msPerItem.toFixed(3)} ms/item (n8n peak RSS ${peakMb[OUR_NODE]} MB), HTTP Request node ${entry[HTTP_NODE]?.msPerItem.toFixed(3)} ms/item (${peakMb[HTTP_NODE]} MB): ${entry.ratio?.toFixed(2)}x (per round: ${entry.ratios.map((r) => r?.toFixed(2)).join(', ')})${errors.length ? `; errors: ${errors.join('; ')}` : ''}`);
			}
		}
		let tokenCosts: Record<string, unknown> | undefined;
		if (PARTS.has(4)) {
			tokenCosts = {};
			for (const items of [100, 1000]) {
				const costs = await measureTokenCosts(n8n, items);
				tokenCosts[items] = costs;
				say(`  ${items} items (token requests / credential writes / 401s; first use, then after the server dropped the token):`);
				for (const cost of costs) {
					const show = ({ tokenRequests, writes, refused }: { tokenRequests: number; writes: number; refused: number }) => `${tokenRequests}/${writes}/${refused}`;
					say(`    ${`${cost.caller}, ${cost.credentialType}`.padEnd(58)} ${show(cost.firstUse).padEnd(8)} ${show(cost.afterServerDroppedToken)}`);
				}
			}
		}
		return { executionTime: results, tokenCosts };
	} finally {
		await n8n.stop();
	}
}

type Figures = Record<string, Record<string, { msPerItem?: number } | undefined> | undefined>;

/** The issue's goals, read from this run's figures (and the last run's, for parts not run). */
function summarize(report: Record<string, unknown>): void {
	const engine = report.engine as Figures | undefined;
	const real = report.executionTime as Record<string, { ratio?: number } & Figures[string]> | undefined;
	const perItem = (figures: Figures | undefined, size: number) => figures?.[size]?.[OUR_NODE]?.msPerItem;
	const flatness = (figures: Figures | undefined, from: number, to: number) => {
		const [first, last] = [perItem(figures, from), perItem(figures, to)];
		return first && last ? `${(last / first).toFixed(2)}x (${first.toFixed(2)} -> ${last.toFixed(2)} ms/item)` : 'not measured';
	};
	say('Goals:');
	for (const size of REAL_SIZES) {
		say(`  real n8n, ${size} items, our node / HTTP Request node (at most 0.6x): ${real?.[size]?.ratio?.toFixed(2) ?? 'not measured'}x`);
	}
	say(`  time per item, our node, 100 -> 10,000 items in the engine (within 1.3x): ${flatness(engine, 100, 10_000)}`);
	say(`  time per item, our node, 1000 -> 10,000 items in a real n8n (within 1.3x): ${flatness(real as Figures, 1000, 10_000)}`);
}

function tarball() {
	const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: ROOT, encoding: 'utf8' })) as Array<{ size: number; unpackedSize: number; entryCount: number }>;
	say(`  ${packed.entryCount} files, ${(packed.size / 1024).toFixed(1)} KB packed, ${(packed.unpackedSize / 1024).toFixed(1)} KB unpacked`);
	return { files: packed.entryCount, packedBytes: packed.size, unpackedBytes: packed.unpackedSize };
}

async function main() {
	ensureN8n();
	const machine = {
		cpus: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}`,
		memoryGb: Math.round(totalmem() / 2 ** 30),
		loadAverageAtStart: loadavg().map((value) => Number(value.toFixed(2))),
		node: process.version,
		n8n: N8N_VERSION,
	};
	say(`Machine: ${machine.cpus}, ${machine.memoryGb} GB, load ${machine.loadAverageAtStart.join(' ')} at start; Node ${machine.node}; n8n ${machine.n8n}`);
	// A run of some parts keeps the others' last figures.
	const file = join(ROOT, 'docs', 'bench.json');
	const report: Record<string, unknown> = {
		...(existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {}),
		date: new Date().toISOString(),
		machine,
	};
	const save = () => writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);

	if (PARTS.has(1) || PARTS.has(2)) {
		const knetik = new KnetikMock();
		await knetik.server.start();
		const n8n = harnessWithEverything();
		n8n.addNodeType('n8n-nodes-base.httpRequest', httpRequestNode());
		try {
			if (PARTS.has(1)) {
				say('1. n8n-core engine (harness), Knetik Get token, client-credentials credential; the mock in its own process:');
				const mock = await knetikMockProcess();
				try {
					report.engine = await engineComparison(n8n, mock.url);
				} finally {
					mock.stop();
				}
				save();
			}
			if (PARTS.has(2)) {
				say('2. Return All (harness):');
				report.returnAll = await returnAll(n8n, knetik);
				save();
			}
		} finally {
			await knetik.server.stop();
		}
	}
	if (PARTS.has(3) || PARTS.has(4)) {
		say('3. Real n8n, n8n execute, the node\'s executionTime; 4. token costs per execution in the real n8n:');
		Object.assign(report, await realN8n());
	}
	if (PARTS.has(5)) {
		say('5. Tarball (npm pack --dry-run):');
		report.tarball = tarball();
	}
	report.loadAverageAtEnd = loadavg().map((value) => Number(value.toFixed(2)));
	save();
	summarize(report);
	say(`Written to ${file}`);
}

(process.argv[2] === KNETIK_MOCK_FLAG ? serveKnetikMock() : main()).catch((error: unknown) => {
	process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
	process.exitCode = 1;
});
