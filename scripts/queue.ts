/**
 * n8n in queue mode on loopback, as teams run it once one process is not enough: PostgreSQL,
 * Redis, a main instance that takes webhooks and enqueues executions, and two workers that run
 * them. Each instance has its own user folder with this package installed the way n8n's docs
 * tell operators to (`npm install` in the folder's `.n8n/nodes`). `npm run test:queue` drives it.
 *
 * PostgreSQL and Redis are Debian's packages, installed with apt-get when missing. Every process
 * started here runs in its own process group and is killed with it on stop, on an error while
 * starting, and, by a watching process, when this process ends in any other way.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, createWriteStream, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';

import { mockCredentials, startMocks, type CredentialExport, type RunningMocks } from './mocks.ts';
import { ensureN8n, N8N_BIN, ROOT } from './n8n.ts';
import { freePort, n8nEnv, OWNER, PACKAGE_NAME, packPackage, runN8n } from './sandbox.ts';

// ---------------------------------------------------------------------------------------------
// Process groups: everything started here is killed with its group, whatever ends this process.

const liveGroups = new Set<number>();

function killGroup(pid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(-pid, signal);
	} catch {
		// already gone
	}
}

/**
 * Kills the groups listed in the file once the process `parent` is gone, then removes the
 * file. Run as a process of its own, because signal and exit handlers do not run when this
 * process is killed, nor under Jest (a Ctrl-C ends Jest without them), and the groups are
 * not in this process's group, so they get no Ctrl-C of their own.
 */
const REAPER = `
const [parent, file] = process.argv.slice(1);
const fs = require('node:fs');
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const timer = setInterval(() => {
	if (alive(Number(parent))) return;
	clearInterval(timer);
	let groups = [];
	try { groups = fs.readFileSync(file, 'utf8').split('\\n').filter(Boolean).map(Number); } catch {}
	for (const pid of groups) { try { process.kill(-pid, 'SIGKILL'); } catch {} }
	fs.rmSync(file, { force: true });
}, 500);
`;

let groupsFile: string | undefined;

/** Keeps the file the reaper reads in step with the live groups, starting the reaper first. */
function recordGroups(): void {
	if (!groupsFile) {
		groupsFile = join(ROOT, '.tmp', `queue-groups-${process.pid}`);
		mkdirSync(dirname(groupsFile), { recursive: true });
		spawn(process.execPath, ['-e', REAPER, String(process.pid), groupsFile], { detached: true, stdio: 'ignore' }).unref();
	}
	writeFileSync(groupsFile, [...liveGroups].map((pid) => `${pid}\n`).join(''));
}

interface Started {
	child: ChildProcess;
	exited: Promise<void>;
	/** Signals the group, then kills it if it has not exited within `graceMs`. */
	stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

/** Starts a command in a process group of its own, output appended to `logFile`. */
function startGroup(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; logFile: string }): Started {
	const log = createWriteStream(options.logFile, { flags: 'a' });
	const child = spawn(command, args, { env: options.env, cwd: options.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	child.stdout?.pipe(log);
	child.stderr?.pipe(log);
	if (child.pid === undefined) throw new Error(`Could not start ${command}`);
	const pid = child.pid;
	liveGroups.add(pid);
	recordGroups();
	const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
	const stop = async (signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000) => {
		if (child.exitCode === null && child.signalCode === null) {
			killGroup(pid, signal);
			const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
			await exited;
			clearTimeout(timer);
		}
		// Children of the leader (a task runner, postgres under runuser) go with the group.
		killGroup(pid, 'SIGKILL');
		liveGroups.delete(pid);
		recordGroups();
	};
	return { child, exited, stop };
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number, failed?: () => string | undefined): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const failure = failed?.();
		if (failure) throw new Error(`${what}: ${failure}`);
		if (await check()) return;
		if (Date.now() > deadline) throw new Error(`${what}: not ready within ${timeoutMs / 1000} s`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

const exitedEarly = (started: Started, logFile: string) => () =>
	started.child.exitCode !== null || started.child.signalCode !== null ? `exited; see ${logFile}` : undefined;

// ---------------------------------------------------------------------------------------------
// PostgreSQL and Redis from Debian's packages.

/** The folder of Debian's PostgreSQL binaries (/usr/lib/postgresql/<version>/bin), newest first. */
function postgresBinDir(): string | undefined {
	const root = '/usr/lib/postgresql';
	if (!existsSync(root)) return undefined;
	const versions = readdirSync(root)
		.filter((version) => existsSync(join(root, version, 'bin', 'initdb')))
		.sort((a, b) => Number(b) - Number(a));
	return versions.length ? join(root, versions[0], 'bin') : undefined;
}

function redisServer(): string | undefined {
	return ['/usr/bin/redis-server', '/usr/sbin/redis-server'].find((path) => existsSync(path));
}

/** Installs Debian's `postgresql` and `redis-server` when their binaries are missing. */
export function ensureServices(say: (line: string) => void): { postgresBin: string; redisBin: string } {
	const missing = [postgresBinDir() ? undefined : 'postgresql', redisServer() ? undefined : 'redis-server'].filter(
		(name): name is string => name !== undefined,
	);
	if (missing.length) {
		if (process.getuid?.() !== 0) {
			throw new Error(`Queue mode needs Debian's ${missing.join(' and ')}: run  sudo apt-get install -y ${missing.join(' ')}`);
		}
		say(`Installing ${missing.join(' and ')} with apt-get...`);
		const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
		const install = () => spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env, stdio: 'inherit' }).status === 0;
		// A fresh machine may not have package lists yet.
		if (!install() && (spawnSync('apt-get', ['update'], { env, stdio: 'inherit' }).status !== 0 || !install())) {
			throw new Error(`apt-get install ${missing.join(' ')} failed`);
		}
	}
	const postgresBin = postgresBinDir();
	const redisBin = redisServer();
	if (!postgresBin || !redisBin) throw new Error('PostgreSQL or Redis is still missing after apt-get install');
	return { postgresBin, redisBin };
}

interface Service {
	port: number;
	stop(): Promise<void>;
}

/**
 * A PostgreSQL cluster in `dir`, listening on loopback only. PostgreSQL refuses to run as root,
 * so as root it runs as Debian's `postgres` user, which owns the folder.
 */
async function startPostgres(bin: string, dir: string, logFile: string, database: { name: string; user: string; password: string }): Promise<Service> {
	const asRoot = process.getuid?.() === 0;
	const as = (command: string, args: string[]): [string, string[]] =>
		asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
	mkdirSync(dir, { recursive: true });
	const passwordFile = join(dir, 'password');
	writeFileSync(passwordFile, database.password);
	if (asRoot) {
		const { uid, gid } = postgresUser();
		chownSync(dir, uid, gid);
		chownSync(passwordFile, uid, gid);
	}
	chmodSync(dir, 0o700);
	const data = join(dir, 'data');
	const [initCommand, initArgs] = as(join(bin, 'initdb'), [
		'-D', data, `--username=${database.user}`, `--pwfile=${passwordFile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--no-sync',
	]);
	const init = spawnSync(initCommand, initArgs, { encoding: 'utf8' });
	if (init.status !== 0) throw new Error(`initdb failed:\n${init.stdout}\n${init.stderr}`);

	const port = await freePort();
	// A throwaway database: durability settings off, which makes n8n's migrations much faster.
	const [command, args] = as(join(bin, 'postgres'), [
		'-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`,
		'-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
	]);
	const started = startGroup(command, args, { logFile });
	// SIGINT is PostgreSQL's fast shutdown: it does not wait for clients to disconnect.
	const stop = () => started.stop('SIGINT');
	try {
		const env = { ...process.env, PGPASSWORD: database.password };
		const ready = () => spawnSync(join(bin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port)]).status === 0;
		await waitFor('PostgreSQL', ready, 60_000, exitedEarly(started, logFile));
		const create = spawnSync(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', database.user, database.name], { env, encoding: 'utf8' });
		if (create.status !== 0) throw new Error(`createdb failed: ${create.stderr}`);
	} catch (error) {
		await stop();
		throw error;
	}
	return { port, stop };
}

function postgresUser(): { uid: number; gid: number } {
	const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
	const uid = id('-u');
	if (!Number.isInteger(uid) || uid <= 0) throw new Error('Debian\'s postgres user is missing; reinstall the postgresql package');
	return { uid, gid: id('-g') };
}

/** Answers true once Redis replies +PONG on the port. */
function redisAnswers(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = connect(port, '127.0.0.1');
		socket.setTimeout(1000);
		socket.once('connect', () => socket.write('PING\r\n'));
		socket.once('data', (data) => {
			socket.destroy();
			resolve(data.toString().startsWith('+PONG'));
		});
		socket.once('error', () => resolve(false));
		socket.once('timeout', () => {
			socket.destroy();
			resolve(false);
		});
	});
}

/** Redis on loopback with no persistence: the queue lives and dies with the run. */
async function startRedis(bin: string, dir: string, logFile: string): Promise<Service> {
	mkdirSync(dir, { recursive: true });
	const port = await freePort();
	const started = startGroup(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { logFile });
	try {
		await waitFor('Redis', () => redisAnswers(port), 30_000, exitedEarly(started, logFile));
	} catch (error) {
		await started.stop();
		throw error;
	}
	return { port, stop: () => started.stop() };
}

// ---------------------------------------------------------------------------------------------
// A forward proxy per worker, so that the mocks' requests can be told apart by worker.

export interface ProxiedRequest {
	/** The instance whose proxy forwarded it. */
	via: string;
	method: string;
	url: URL;
	headers: Record<string, string | string[] | undefined>;
	body: string;
	/** When the proxy received it (epoch ms). */
	at: number;
	/** The status the upstream answered with, once it has. */
	status?: number;
}

interface Proxy {
	url: string;
	stop(): Promise<void>;
}

/**
 * n8n's HTTP stack honours HTTP_PROXY. Each worker gets its own proxy, which forwards every
 * request unchanged and notes which worker sent it: the mocks see the same requests as
 * without it, and the test learns which worker fetched each token.
 */
async function startProxy(via: string, log: ProxiedRequest[]): Promise<Proxy> {
	const server: Server = createServer((req, res) => {
		let target: URL;
		try {
			target = new URL(req.url ?? '');
		} catch {
			res.writeHead(400).end('absolute URL expected');
			return;
		}
		const entry: ProxiedRequest = { via, method: req.method ?? 'GET', url: target, headers: req.headers, body: '', at: Date.now() };
		log.push(entry);
		req.on('data', (chunk: Buffer) => (entry.body += chunk.toString('utf8')));
		const headers = { ...req.headers };
		delete headers['proxy-connection'];
		const upstream = httpRequest(
			{ host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: req.method, headers },
			(answer) => {
				entry.status = answer.statusCode;
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			},
		);
		upstream.on('error', () => res.destroy());
		req.pipe(upstream);
	});
	// Only the mocks are meant to be reached; anything else (HTTPS to the internet) is refused.
	server.on('connect', (_req, socket) => socket.end('HTTP/1.1 403 Forbidden\r\n\r\n'));
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		stop: async () => {
			server.closeAllConnections();
			await new Promise((resolve) => server.close(resolve));
		},
	};
}

// ---------------------------------------------------------------------------------------------
// n8n instances.

export interface LogRecord {
	level: string;
	message: string;
	metadata?: Record<string, unknown>;
}

export interface Instance {
	name: string;
	userFolder: string;
	logFile: string;
	/** Its log so far, one JSON record per line (N8N_LOG_FORMAT=json). */
	records(): LogRecord[];
}

/**
 * Installs the packed package into an instance's user folder the way n8n's docs tell operators
 * to: `npm install` in `<user folder>/.n8n/nodes`. The folder gets its own package.json first, as
 * n8n's is, so that npm does not install into a project further up. `--legacy-peer-deps`: the
 * peer dependency, n8n-workflow, is n8n's own; without it npm would download a second copy.
 */
export function installLikeAnOperator(userFolder: string, tarball: string): void {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	mkdirSync(nodesDir, { recursive: true });
	writeFileSync(join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2));
	const result = spawnSync('npm', ['install', tarball, '--legacy-peer-deps', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], {
		cwd: nodesDir,
		encoding: 'utf8',
	});
	if (result.status !== 0 || !existsSync(join(nodesDir, 'node_modules', PACKAGE_NAME, 'package.json'))) {
		throw new Error(`npm install ${tarball} failed in ${nodesDir}:\n${result.stderr}`);
	}
}

function readRecords(logFile: string): LogRecord[] {
	if (!existsSync(logFile)) return [];
	return spawnSync('cat', [logFile], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
		.stdout.split('\n')
		.filter((line) => line.startsWith('{'))
		.flatMap((line) => {
			try {
				return [JSON.parse(line) as LogRecord];
			} catch {
				return [];
			}
		});
}

// ---------------------------------------------------------------------------------------------
// The cluster.

export interface QueueCluster {
	/** Where main answers: the editor, the REST API and production webhooks (`/webhook/<path>`). */
	url: string;
	main: Instance;
	workers: Instance[];
	mocks: RunningMocks;
	credentials: CredentialExport[];
	/** Every request a worker sent to a mock, in order, and which worker sent it. */
	proxied: ProxiedRequest[];
	/** Cookie of the owner's session, for n8n's REST API. */
	cookie: string;
	stop(): Promise<void>;
}

export interface QueueOptions {
	/** Workflows (JSON texts with the public API addresses) imported before n8n starts, activated if `active`. */
	workflows: (mocks: RunningMocks) => string[];
	/** Jobs each worker runs at once (n8n's default is 10). */
	workerConcurrency?: number;
	say?: (line: string) => void;
}

/**
 * Starts PostgreSQL, Redis, the mocks, n8n main and two workers, imports the credentials and
 * `workflows`, and signs in as the owner. The package must be built. On any failure what was
 * started is stopped again before the error is thrown.
 */
export async function startQueueCluster(options: QueueOptions): Promise<QueueCluster> {
	const say = options.say ?? (() => undefined);
	ensureN8n(say);
	const { postgresBin, redisBin } = ensureServices(say);
	// Made anew on every run; after it, only the logs are left there.
	const base = join(ROOT, '.tmp', 'queue');
	rmSync(base, { recursive: true, force: true });
	mkdirSync(base, { recursive: true });
	const keepOnlyLogs = async () => {
		for (const entry of readdirSync(base)) if (!entry.endsWith('.log')) rmSync(join(base, entry), { recursive: true, force: true });
	};
	const stack: Array<() => Promise<void>> = [keepOnlyLogs];
	const stop = async () => {
		while (stack.length) await stack.pop()?.().catch(() => undefined);
	};
	try {
		say('Starting PostgreSQL and Redis...');
		const database = { name: 'n8n', user: 'n8n', password: randomBytes(12).toString('hex') };
		const pgDir = join(base, 'postgres');
		const [postgres, redis] = await Promise.all([
			startPostgres(postgresBin, pgDir, join(base, 'postgres.log'), database),
			startRedis(redisBin, join(base, 'redis'), join(base, 'redis.log')),
		]);
		stack.push(postgres.stop, redis.stop);

		const mocks = await startMocks('free');
		stack.push(mocks.stop);
		const proxied: ProxiedRequest[] = [];

		const tarball = packPackage(join(base, 'pack'));
		const shared = {
			EXECUTIONS_MODE: 'queue',
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(postgres.port),
			DB_POSTGRESDB_DATABASE: database.name,
			DB_POSTGRESDB_USER: database.user,
			DB_POSTGRESDB_PASSWORD: database.password,
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			// Every instance decrypts the credentials main stored.
			N8N_ENCRYPTION_KEY: randomBytes(24).toString('hex'),
			N8N_LOG_FORMAT: 'json',
			HTTP_PROXY: '',
			http_proxy: '',
			HTTPS_PROXY: '',
			https_proxy: '',
			ALL_PROXY: '',
			all_proxy: '',
		};
		const instance = (name: string): Instance & { env: (extra: Record<string, string>) => NodeJS.ProcessEnv } => {
			const userFolder = join(base, name);
			installLikeAnOperator(userFolder, tarball);
			const logFile = join(base, `${name}.log`);
			return {
				name,
				userFolder,
				logFile,
				records: () => readRecords(logFile),
				env: (extra) => n8nEnv(userFolder, { ...shared, ...extra }),
			};
		};

		say('Installing the package on main and both workers (npm install in each nodes folder)...');
		const main = instance('main');
		const workers = [instance('worker-1'), instance('worker-2')];
		const port = await freePort();
		const mainEnv = main.env({ N8N_PORT: String(port), N8N_LISTEN_ADDRESS: '127.0.0.1', N8N_HOST: '127.0.0.1' });

		say('Importing credentials and workflows into PostgreSQL...');
		const credentials = mockCredentials(mocks);
		const importDir = join(base, 'import');
		mkdirSync(importDir);
		writeFileSync(join(importDir, 'credentials.json'), JSON.stringify(credentials));
		const workflows = options.workflows(mocks);
		writeFileSync(join(importDir, 'workflows.json'), `[${workflows.map(mocks.rewrite).join(',')}]`);
		for (const args of [
			['import:credentials', `--input=${join(importDir, 'credentials.json')}`],
			['import:workflow', `--input=${join(importDir, 'workflows.json')}`],
		]) {
			const result = await runN8n(args, mainEnv);
			writeFileSync(join(base, 'import.log'), `${result.stdout}\n${result.stderr}`, { flag: 'a' });
			if (result.code !== 0) throw new Error(`n8n ${args[0]} failed:\n${result.stdout}\n${result.stderr}`);
		}

		say('Starting n8n main and two workers...');
		const startN8n = async (node: Instance, args: string[], env: NodeJS.ProcessEnv) => {
			const started = startGroup(process.execPath, [N8N_BIN, ...args], {
				env: { ...env, N8N_RUNNERS_BROKER_PORT: String(await freePort()) },
				logFile: node.logFile,
			});
			stack.push(() => started.stop('SIGTERM', 20_000));
			return started;
		};
		const mainProcess = await startN8n(main, ['start'], mainEnv);
		const workerProcesses = [];
		for (const worker of workers) {
			const proxy = await startProxy(worker.name, proxied);
			stack.push(proxy.stop);
			const healthPort = await freePort();
			const env = worker.env({
				HTTP_PROXY: proxy.url,
				http_proxy: proxy.url,
				QUEUE_HEALTH_CHECK_ACTIVE: 'true',
				QUEUE_HEALTH_CHECK_PORT: String(healthPort),
				N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
			});
			const args = ['worker', ...(options.workerConcurrency ? [`--concurrency=${options.workerConcurrency}`] : [])];
			workerProcesses.push({ worker, healthPort, started: await startN8n(worker, args, env) });
		}
		const answers = (url: string) => async () => (await fetch(url).catch(() => undefined))?.ok === true;
		await Promise.all([
			waitFor('n8n main', answers(`http://127.0.0.1:${port}/healthz/readiness`), 240_000, exitedEarly(mainProcess, main.logFile)),
			...workerProcesses.map(({ worker, healthPort, started }) =>
				waitFor(`n8n ${worker.name}`, answers(`http://127.0.0.1:${healthPort}/healthz/readiness`), 240_000, exitedEarly(started, worker.logFile)),
			),
		]);
		const url = `http://127.0.0.1:${port}`;
		const cookie = await signIn(url);
		// Published as the editor's Publish button does; main then registers their production webhooks.
		const published = workflows.map((json) => JSON.parse(json) as PublishedWorkflow).filter((workflow) => workflow.active);
		for (const workflow of published) await publish(url, cookie, workflow.id);
		// n8n 2.x publishes through an outbox: the publish call answers before main has registered
		// the webhooks, and a call in between gets a 404.
		const webhooks = published.flatMap((workflow) => workflow.nodes.filter((node) => node.type === 'n8n-nodes-base.webhook'));
		await waitFor('production webhooks registered', async () => (await Promise.all(webhooks.map((node) => isRegistered(url, node.parameters)))).every(Boolean), 60_000);
		say(`n8n is up: main ${url}; logs in ${base}`);
		return { url, main, workers, mocks, credentials, proxied, cookie, stop };
	} catch (error) {
		await stop();
		throw error;
	}
}

/** n8n binds a session to the browser that opened it, by this header. */
const BROWSER_ID = 'queue-mode-test';

/** Creates the owner account and signs in, as the editor's first-run form does. */
async function signIn(url: string): Promise<string> {
	const post = (path: string, body: unknown) =>
		fetch(`${url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'browser-id': BROWSER_ID }, body: JSON.stringify(body) });
	const setup = await post('/rest/owner/setup', OWNER);
	if (!setup.ok) throw new Error(`Owner setup failed: HTTP ${setup.status} ${await setup.text()}`);
	const login = await post('/rest/login', { emailOrLdapLoginId: OWNER.email, password: OWNER.password });
	if (!login.ok) throw new Error(`Sign-in failed: HTTP ${login.status} ${await login.text()}`);
	const cookie = login.headers.getSetCookie().find((value) => value.startsWith('n8n-auth='));
	if (!cookie) throw new Error('Sign-in set no n8n-auth cookie');
	return cookie.split(';')[0];
}

interface PublishedWorkflow {
	id: string;
	active?: boolean;
	nodes: Array<{ type: string; parameters: { path: string; httpMethod?: string } }>;
}

/**
 * Whether main has registered the production webhook: a CORS preflight to it lists the methods
 * registered for the path, without running the workflow.
 */
async function isRegistered(url: string, { path, httpMethod = 'GET' }: { path: string; httpMethod?: string }): Promise<boolean> {
	const answer = await fetch(`${url}/webhook/${path}`, { method: 'OPTIONS', headers: { origin: 'http://127.0.0.1' } }).catch(() => undefined);
	return answer?.headers.get('access-control-allow-methods')?.split(', ').includes(httpMethod) === true;
}

async function publish(url: string, cookie: string, workflowId: string): Promise<void> {
	const current = await fetch(`${url}/rest/workflows/${workflowId}`, { headers: { cookie, 'browser-id': BROWSER_ID } });
	if (!current.ok) throw new Error(`Reading workflow ${workflowId} failed: HTTP ${current.status} ${await current.text()}`);
	const { versionId } = ((await current.json()) as { data: { versionId: string } }).data;
	const activate = await fetch(`${url}/rest/workflows/${workflowId}/activate`, {
		method: 'POST',
		headers: { cookie, 'browser-id': BROWSER_ID, 'Content-Type': 'application/json' },
		body: JSON.stringify({ versionId }),
	});
	if (!activate.ok) throw new Error(`Publishing workflow ${workflowId} failed: HTTP ${activate.status} ${await activate.text()}`);
}
