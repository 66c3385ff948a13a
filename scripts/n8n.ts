/**
 * The real n8n that the end-to-end tests and `npm start` drive: a pinned version, installed on
 * first use into a git-ignored folder and reused after that, and the CLI calls made on it.
 *
 * Runs under Jest (ts-jest, CommonJS) and under Node's own type stripping (`node scripts/x.ts`,
 * ES modules), so it uses erasable TypeScript only and finds the repository from the working
 * directory, which npm sets to the package root for every script.
 */
import { spawnSync, type SpawnOptions } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';

export const N8N_VERSION = '2.41.1';

/** The repository root: the nearest folder upwards holding this package's package.json. */
function findRoot(from: string): string {
	for (let dir = from; ; dir = dirname(dir)) {
		const manifest = join(dir, 'package.json');
		if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'n8n-nodes-token-lifecycle') {
			return dir;
		}
		if (dirname(dir) === dir) throw new Error(`Run this from inside the n8n-nodes-token-lifecycle repository (cwd: ${from})`);
	}
}

export const ROOT = findRoot(process.cwd());
export const N8N_HOME = join(ROOT, '.cache', `n8n-${N8N_VERSION}`);
export const N8N_BIN = join(N8N_HOME, 'node_modules', 'n8n', 'bin', 'n8n');

/**
 * The install lands in this folder and is renamed to N8N_HOME only once it is complete and
 * loads, so N8N_HOME existing means a usable install; an interrupted one leaves this folder
 * behind, and the next attempt starts it over.
 */
const PARTIAL = `${N8N_HOME}.partial`;

/** n8n 2.x needs Node 24; npm scripts run on the `node` devDependency, which is Node 24. */
function assertNode24(): void {
	const major = Number(process.versions.node.split('.')[0]);
	if (major < 24) {
		throw new Error(`n8n ${N8N_VERSION} needs Node.js 24 or later; this is ${process.version}. Run it through npm (npm start, npm test).`);
	}
}

/** Node's C headers, which the `node` devDependency ships, for building sqlite3 against Node 24. */
function nodeHeadersDir(): string {
	const platformPackage = `node-${process.platform}-${process.arch}`;
	const requireFromNode = createRequire(join(ROOT, 'node_modules', 'node', 'package.json'));
	const dir = dirname(requireFromNode.resolve(`${platformPackage}/package.json`));
	if (!existsSync(join(dir, 'include', 'node', 'node.h'))) {
		throw new Error(`Node.js headers not found in ${dir}; run npm install first`);
	}
	return dir;
}

function run(command: string, args: string[], options: SpawnOptions): void {
	const result = spawnSync(command, args, { stdio: 'inherit', ...options });
	if (result.status !== 0) {
		throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
	}
}

function processIsAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** Takes the install lock unless a live process holds it; a dead holder's lock is taken over. */
function takeLock(lockFile: string): boolean {
	try {
		writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
		return true;
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		if (processIsAlive(Number(readFileSync(lockFile, 'utf8')))) return false;
		rmSync(lockFile, { force: true });
		return takeLock(lockFile);
	}
}

function sleep(ms: number): void {
	Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Returns the path of the pinned n8n's CLI, installing it first unless it is there. Processes
 * that need it at the same time (Jest's workers, `npm start` beside `npm test`) take turns
 * through a lock file, so only one installs and the others wait for it.
 */
export function ensureN8n(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): string {
	assertNode24();
	const lockFile = `${N8N_HOME}.lock`;
	let waiting = false;
	while (!existsSync(N8N_BIN)) {
		mkdirSync(dirname(N8N_HOME), { recursive: true });
		if (takeLock(lockFile)) {
			try {
				if (!existsSync(N8N_BIN)) install(log);
			} finally {
				rmSync(lockFile, { force: true });
			}
		} else {
			if (!waiting) log(`Waiting for another process to finish installing n8n ${N8N_VERSION}...`);
			waiting = true;
			sleep(2000);
		}
	}
	return N8N_BIN;
}

/**
 * Installs n8n N8N_VERSION into N8N_HOME with the steps GUIDE.md section 5 found to work:
 * linkedom pinned (newer ones need a package the registry lacks), install scripts off (a Kafka
 * client's native build fails), then sqlite3, the one native module n8n needs, built for Node 24.
 */
function install(log: (line: string) => void): void {
	rmSync(PARTIAL, { recursive: true, force: true });
	mkdirSync(PARTIAL);
	writeFileSync(
		join(PARTIAL, 'package.json'),
		`${JSON.stringify({ name: 'n8n-for-e2e', private: true, overrides: { linkedom: '0.18.13' } }, null, 2)}\n`,
	);
	const started = Date.now();
	log(`Installing n8n ${N8N_VERSION} into ${N8N_HOME} (first run only; about 4 minutes and 2.9 GB)...`);
	// Node 24 first on PATH, so that npm's child processes (node-gyp) run on it too.
	const env = {
		...process.env,
		PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
		npm_config_nodedir: nodeHeadersDir(),
	};
	try {
		run('npm', ['install', `n8n@${N8N_VERSION}`, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
			cwd: PARTIAL,
			env,
		});
		run('npm', ['rebuild', 'sqlite3', '--loglevel=error'], { cwd: PARTIAL, env });
		run(process.execPath, ['-e', 'require("sqlite3")'], { cwd: PARTIAL, env });
		renameSync(PARTIAL, N8N_HOME);
	} catch (error) {
		rmSync(PARTIAL, { recursive: true, force: true });
		throw error;
	}
	log(`Installed n8n ${N8N_VERSION} in ${Math.round((Date.now() - started) / 1000)} s.`);
}
