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

/**
 * The n8n lines the package is tested on, and what each needs to install and run here (GUIDE.md
 * sections 5 and 6): the Node.js it runs on, as a version of the `node` npm package installed
 * beside it (none: the Node.js running this script, the `node` devDependency, 24), and the
 * `overrides` without which it does not install (newer linkedom needs a package the registry
 * lacks; n8n 1.x takes xlsx from its vendor's CDN, which cannot be reached from here).
 */
const N8N_LINES: Record<string, { node?: string; overrides: Record<string, string>; size: string }> = {
	'2.41.1': { overrides: { linkedom: '0.18.13' }, size: 'about 4 minutes and 2.9 GB' },
	'1.123.81': { node: '22.23.3', overrides: { linkedom: '0.18.13', xlsx: '0.18.5' }, size: 'about 10 minutes and 2.0 GB' },
};

/** The version to drive: 2.41.1 unless N8N_E2E_VERSION names another of N8N_LINES. */
export const N8N_VERSION = process.env.N8N_E2E_VERSION || '2.41.1';
const LINE = N8N_LINES[N8N_VERSION];
if (!LINE) {
	throw new Error(`N8N_E2E_VERSION=${N8N_VERSION} is not a tested n8n version; use one of ${Object.keys(N8N_LINES).join(', ')}`);
}

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

/** Where a line with its own Node.js has the `node` package: a project of its own, so that installing n8n beside it does not prune it. */
const NODE_PROJECT = (home: string) => join(home, 'node');
const nodeBinIn = (home: string) => join(NODE_PROJECT(home), 'node_modules', 'node', 'bin', 'node');

/** The Node.js binary n8n N8N_VERSION runs on. */
export const N8N_NODE = LINE.node ? nodeBinIn(N8N_HOME) : process.execPath;

/**
 * The install lands in this folder and is renamed to N8N_HOME only once it is complete and
 * loads, so N8N_HOME existing means a usable install; an interrupted one leaves this folder
 * behind, and the next attempt starts it over.
 */
const PARTIAL = `${N8N_HOME}.partial`;

/** n8n 2.x needs Node 24; npm scripts run on the `node` devDependency, which is Node 24. */
function assertNode24(): void {
	const major = Number(process.versions.node.split('.')[0]);
	if (!LINE.node && major < 24) {
		throw new Error(`n8n ${N8N_VERSION} needs Node.js 24 or later; this is ${process.version}. Run it through npm (npm start, npm test).`);
	}
}

/**
 * Node's C headers, which the `node` package ships (in its platform package), for building
 * sqlite3 against the Node.js that n8n runs on.
 */
function nodeHeadersDir(nodeProject: string): string {
	const platformPackage = `node-${process.platform}-${process.arch}`;
	const requireFromNode = createRequire(join(nodeProject, 'node_modules', 'node', 'package.json'));
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
 * Installs n8n N8N_VERSION into N8N_HOME with the steps GUIDE.md sections 5 and 6 found to work:
 * the line's own Node.js first where it has one, the line's overrides, install scripts off (a
 * Kafka client's native build fails), then sqlite3, the one native module n8n needs, built for
 * the Node.js n8n runs on.
 */
function install(log: (line: string) => void): void {
	rmSync(PARTIAL, { recursive: true, force: true });
	mkdirSync(PARTIAL);
	const started = Date.now();
	log(`Installing n8n ${N8N_VERSION} into ${N8N_HOME} (first run only; ${LINE.size})...`);
	try {
		let nodeProject = ROOT;
		let nodeBin = process.execPath;
		if (LINE.node) {
			nodeProject = NODE_PROJECT(PARTIAL);
			nodeBin = nodeBinIn(PARTIAL);
			mkdirSync(nodeProject);
			writeFileSync(join(nodeProject, 'package.json'), `${JSON.stringify({ name: 'node-for-n8n', private: true }, null, 2)}\n`);
			// With its install script, which fetches the platform's binary and headers.
			run('npm', ['install', `node@${LINE.node}`, '--no-audit', '--no-fund', '--loglevel=error'], { cwd: nodeProject });
		}
		writeFileSync(
			join(PARTIAL, 'package.json'),
			`${JSON.stringify({ name: 'n8n-for-e2e', private: true, overrides: LINE.overrides }, null, 2)}\n`,
		);
		// n8n's Node.js first on PATH, so that npm's child processes (node-gyp) run on it too.
		const env = {
			...process.env,
			PATH: `${dirname(nodeBin)}${delimiter}${process.env.PATH ?? ''}`,
			npm_config_nodedir: nodeHeadersDir(nodeProject),
		};
		run('npm', ['install', `n8n@${N8N_VERSION}`, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
			cwd: PARTIAL,
			env,
		});
		run('npm', ['rebuild', 'sqlite3', '--loglevel=error'], { cwd: PARTIAL, env });
		run(nodeBin, ['-e', 'require("sqlite3")'], { cwd: PARTIAL, env });
		renameSync(PARTIAL, N8N_HOME);
	} catch (error) {
		rmSync(PARTIAL, { recursive: true, force: true });
		throw error;
	}
	log(`Installed n8n ${N8N_VERSION} in ${Math.round((Date.now() - started) / 1000)} s.`);
}
