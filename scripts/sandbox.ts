/**
 * An n8n user folder with this package installed the way n8n's Community Nodes panel installs
 * it, and the CLI calls that fill it: shared by the end-to-end tests and `npm start`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { delimiter, dirname, join } from 'node:path';

import { mockCredentials, startMocks, type CredentialExport, type RunningMocks } from './mocks.ts';
import { ensureN8n, N8N_BIN, N8N_NODE, ROOT } from './n8n.ts';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
export const PACKAGE_NAME = pkg.name;
export const EXAMPLES_DIR = join(ROOT, 'examples');

/** Where `npm start` serves the editor, and the owner account it creates there (local only). */
export const EDITOR_URL = 'http://localhost:5678';
export const OWNER = { email: 'owner@sandbox.local', password: 'Sandbox-Owner-1', firstName: 'Sandbox', lastName: 'Owner' };

function npm(args: string[], cwd: string): string {
	const result = spawnSync('npm', args, { cwd, encoding: 'utf8' });
	if (result.status !== 0) {
		throw new Error(`npm ${args.join(' ')} failed in ${cwd}:\n${result.stderr}`);
	}
	return result.stdout;
}

/** `npm pack` of the built package (dist/ must be built): what the registry would serve. */
export function packPackage(destination: string): string {
	mkdirSync(destination, { recursive: true });
	const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', destination], ROOT)) as Array<{ filename: string }>;
	return join(destination, packed.filename);
}

/**
 * Installs a packed tarball into an n8n user folder with the steps of n8n 2.41's
 * CommunityPackagesService: unpack into nodes/node_modules/<name>, drop the dev, peer and
 * optional dependencies from its package.json, `npm install` there with the panel's flags, and
 * list it in nodes/package.json, where n8n looks for community packages at startup.
 */
export function installPackage(userFolder: string, tarball: string): void {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	const packageDir = join(nodesDir, 'node_modules', PACKAGE_NAME);
	mkdirSync(packageDir, { recursive: true });
	const untar = spawnSync('tar', ['-xzf', tarball, '-C', packageDir, '--strip-components=1']);
	if (untar.status !== 0) throw new Error(`Could not unpack ${tarball}: ${untar.stderr}`);

	const manifestPath = join(packageDir, 'package.json');
	const { devDependencies, peerDependencies, optionalDependencies, ...manifest } = JSON.parse(
		readFileSync(manifestPath, 'utf8'),
	);
	void [devDependencies, peerDependencies, optionalDependencies];
	writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
	npm(
		[
			'install',
			'--audit=false',
			'--fund=false',
			'--bin-links=false',
			'--install-strategy=shallow',
			'--ignore-scripts=true',
			'--package-lock=false',
		],
		packageDir,
	);

	const listPath = join(nodesDir, 'package.json');
	const list = existsSync(listPath)
		? JSON.parse(readFileSync(listPath, 'utf8'))
		: { name: 'installed-nodes', private: true, dependencies: {} };
	list.dependencies[PACKAGE_NAME] = manifest.version;
	writeFileSync(listPath, JSON.stringify(list, null, 2));
}

/**
 * The environment of every n8n process: the Node.js n8n runs on first on PATH (its task runner
 * is started from there), the given user folder, no telemetry or update checks (the sandbox
 * works offline), and none of the caller's N8N_* settings, so that a developer's shell or Jest
 * cannot change what n8n does.
 */
export function n8nEnv(userFolder: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
	const inherited = Object.fromEntries(
		Object.entries(process.env).filter(([key]) => !key.startsWith('N8N_') && key !== 'NODE_ENV' && !key.startsWith('JEST_')),
	);
	return {
		...inherited,
		PATH: `${dirname(N8N_NODE)}${delimiter}${process.env.PATH ?? ''}`,
		N8N_USER_FOLDER: userFolder,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		// `n8n execute --rawOutput` prints its result through the logger, at info level.
		N8N_LOG_LEVEL: 'info',
		...extra,
	};
}

export interface CliResult {
	code: number | null;
	stdout: string;
	stderr: string;
	/** The most memory the n8n process held (its peak resident set, VmHWM), where Linux tells it. */
	peakRssMb?: number;
}

/** A process's peak resident set so far, from Linux's /proc; undefined elsewhere or once it is gone. */
function peakRssMbOf(pid: number | undefined): number | undefined {
	try {
		const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
		return kb === undefined ? undefined : Math.round(Number(kb) / 1024);
	} catch {
		return undefined;
	}
}

/** A loopback port nothing listens on right now. */
export async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise((resolve) => server.close(resolve));
	return port;
}

/**
 * Starts an n8n process. Each gets a free port for its task broker (n8n's default, 5679, would
 * make two n8n processes on one machine, such as a test beside `npm start`, fail).
 */
export async function spawnN8n(args: string[], env: NodeJS.ProcessEnv): Promise<ChildProcess> {
	const brokerPort = String(await freePort());
	return spawn(N8N_NODE, [N8N_BIN, ...args], {
		env: { ...env, N8N_RUNNERS_BROKER_PORT: brokerPort },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
}

/**
 * Runs an n8n CLI command. Asynchronous on purpose: the mock servers may live in the calling
 * process, and they must keep answering while n8n runs. Its standard output goes to a file:
 * n8n exits right after printing an execution, and Node drops what a pipe has not taken yet
 * (a 1000-item execution came out cut short), while writes to a file are done when they return.
 */
export async function runN8n(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
	const outputDir = mkdtempSync(join(tmpdir(), 'n8n-cli-'));
	const outputFile = join(outputDir, 'stdout.log');
	const output = openSync(outputFile, 'w');
	const brokerPort = String(await freePort());
	const child = spawn(process.execPath, [N8N_BIN, ...args], {
		env: { ...env, N8N_RUNNERS_BROKER_PORT: brokerPort },
		stdio: ['ignore', output, 'pipe'],
	});
	closeSync(output);
	// The peak only grows: the last reading before the process ends is its peak, near enough.
	let peakRssMb: number | undefined;
	const sampler = setInterval(() => (peakRssMb = peakRssMbOf(child.pid) ?? peakRssMb), 100);
	return await new Promise((resolve, reject) => {
		let stderr = '';
		child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
		child.on('error', (error) => {
			clearInterval(sampler);
			reject(error);
		});
		child.on('close', (code) => {
			clearInterval(sampler);
			const stdout = readFileSync(outputFile, 'utf8');
			rmSync(outputDir, { recursive: true, force: true });
			resolve({ code, stdout, stderr, peakRssMb });
		});
	});
}

async function runN8nOrThrow(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
	const result = await runN8n(args, env);
	if (result.code !== 0) {
		throw new Error(`n8n ${args.join(' ')} failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
	}
	return result;
}

export interface ExampleWorkflow {
	file: string;
	id: string;
	name: string;
	json: string;
}

/** The workflows in examples/, as their JSON text. */
export function exampleWorkflows(): ExampleWorkflow[] {
	return readdirSync(EXAMPLES_DIR)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => {
			const json = readFileSync(join(EXAMPLES_DIR, file), 'utf8');
			const { id, name } = JSON.parse(json) as { id: string; name: string };
			return { file, id, name, json };
		});
}

/** Imports credentials and workflows (JSON texts) into the user folder's database with n8n's CLI. */
export async function importIntoN8n(
	env: NodeJS.ProcessEnv,
	scratchDir: string,
	credentials: CredentialExport[],
	workflows: string[],
): Promise<CliResult[]> {
	mkdirSync(scratchDir, { recursive: true });
	const credentialsFile = join(scratchDir, 'credentials.json');
	const workflowsFile = join(scratchDir, 'workflows.json');
	writeFileSync(credentialsFile, JSON.stringify(credentials, null, 2));
	writeFileSync(workflowsFile, `[${workflows.join(',\n')}]`);
	return [
		await runN8nOrThrow(['import:credentials', `--input=${credentialsFile}`], env),
		await runN8nOrThrow(['import:workflow', `--input=${workflowsFile}`], env),
	];
}

const answersOk = async (address: string) =>
	await fetch(address).then(
		(response) => response.ok,
		() => false,
	);

/**
 * Waits until n8n is ready and its REST API answers: n8n 1.x reports ready once its database
 * is migrated, before its REST API is mounted (a request then gets 404).
 */
async function waitUntilReady(url: string, n8nExited: () => boolean, logFile: string): Promise<void> {
	for (let attempt = 0; attempt < 240; attempt++) {
		if (n8nExited()) throw new Error(`n8n stopped while starting; its log is in ${logFile}`);
		if ((await answersOk(`${url}/healthz/readiness`)) && (await answersOk(`${url}/rest/settings`))) return;
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
	throw new Error(`n8n did not answer on ${url} within 2 minutes`);
}

/** Creates the owner account through the endpoint the editor's first-run setup form calls. */
async function setUpOwner(url: string): Promise<void> {
	const response = await fetch(`${url}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify(OWNER),
	});
	if (!response.ok) throw new Error(`Could not create the owner account: HTTP ${response.status} ${await response.text()}`);
}

export interface Sandbox {
	/** Where the editor answers. */
	url: string;
	mocks: RunningMocks;
	logFile: string;
	/** Resolves when n8n has exited, with whether it was asked to. */
	exited: Promise<boolean>;
	/** Stops n8n and the mock APIs. */
	stop(): Promise<void>;
}

/**
 * A real n8n with this package installed the way the Community Nodes panel installs it, every
 * API mocked on loopback, credentials of every type and the example workflows imported, and an
 * owner account: what `npm start` serves and what the editor test drives. The folder is made
 * anew; the package must be built.
 */
export async function startSandbox(options: { folder: string; port: number; mockPorts: 'fixed' | 'free'; say?: (line: string) => void }): Promise<Sandbox> {
	const say = options.say ?? (() => undefined);
	ensureN8n(say);
	rmSync(options.folder, { recursive: true, force: true });
	const userFolder = join(options.folder, 'user');
	installPackage(userFolder, packPackage(join(options.folder, 'pack')));
	const mocks = await startMocks(options.mockPorts);
	const url = `http://localhost:${options.port}`;
	const env = n8nEnv(userFolder, { N8N_PORT: String(options.port), N8N_HOST: 'localhost' });

	say('Importing credentials and example workflows...');
	await importIntoN8n(
		env,
		join(options.folder, 'import'),
		mockCredentials(mocks),
		exampleWorkflows().map((example) => mocks.rewrite(example.json)),
	);

	// n8n's own log goes to a file: offline, it logs every failed call to n8n.io at length.
	const logFile = join(options.folder, 'n8n.log');
	const log = createWriteStream(logFile);
	const n8n = await spawnN8n(['start'], env);
	n8n.stdout?.pipe(log);
	n8n.stderr?.pipe(log);
	let stopping = false;
	let hasExited = false;
	const exited = new Promise<boolean>((resolve) => {
		n8n.on('exit', () => {
			hasExited = true;
			void mocks.stop().then(() => resolve(stopping));
		});
	});
	const stop = async () => {
		stopping = true;
		if (!hasExited) n8n.kill('SIGTERM');
		await exited;
	};
	try {
		await waitUntilReady(url, () => hasExited, logFile);
		await setUpOwner(url);
	} catch (error) {
		await stop();
		throw error;
	}
	return { url, mocks, logFile, exited, stop };
}
