/**
 * The real n8n that the end-to-end tests and `npm start` drive: a pinned version, installed on
 * first use from the lock file committed for its line (scripts/n8n-lines/<version>/) into a
 * cache outside the clone, and reused by every clone, suite and CI run after that.
 *
 * Runs under Jest (ts-jest, CommonJS) and under Node's own type stripping (`node scripts/x.ts`,
 * ES modules), so it uses erasable TypeScript only and finds the repository from the working
 * directory, which npm sets to the package root for every script.
 */
import type { INodeType } from 'n8n-workflow';
import { spawnSync, type SpawnOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

/**
 * The n8n lines the package is tested on, and the Node.js each runs on, as a version of the
 * `node` npm package installed beside it (none: the Node.js running this script, the `node`
 * devDependency, 24). What each installs, overrides included (GUIDE.md sections 5 and 6), is
 * in scripts/n8n-lines/<version>/package.json and its lock file.
 */
const N8N_LINES: Record<string, { node?: string; size: string }> = {
	'2.41.1': { size: 'about 4 minutes and 2.9 GB' },
	'1.123.81': { node: '22.23.3', size: 'about 6 minutes and 2.0 GB' },
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

/**
 * Installs that outlive a clone (each n8n line, the scanner): TOKEN_LIFECYCLE_CACHE, else the
 * user's cache folder. A clone reuses what an earlier clone or CI run installed there.
 */
export const CACHE_DIR =
	process.env.TOKEN_LIFECYCLE_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'n8n-nodes-token-lifecycle');

/** The line's package.json and package-lock.json, committed: `npm ci` installs exactly them. */
const LINE_DIR = join(ROOT, 'scripts', 'n8n-lines', N8N_VERSION);
const LINE_FILES = ['package.json', 'package-lock.json'];

/** The Node.js n8n runs on: the line's own, else the one running this (the `node` devDependency). */
const RUNS_ON = LINE.node ?? process.versions.node;

/**
 * The cache key: n8n's version, the Node.js it runs on (sqlite3 is built for it) and a hash of
 * the committed lock file, so that a changed lock or Node installs anew beside the old one.
 */
const KEY = createHash('sha256')
	.update(JSON.stringify([N8N_VERSION, RUNS_ON, process.platform, process.arch]))
	.update(LINE_FILES.map((file) => (existsSync(join(LINE_DIR, file)) ? readFileSync(join(LINE_DIR, file), 'utf8') : '')).join('\0'))
	.digest('hex')
	.slice(0, 12);

export const N8N_HOME = join(CACHE_DIR, `n8n-${N8N_VERSION}-node${RUNS_ON}-${KEY}`);
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

/** What a complete install writes last, and what is checked before it is reused. */
const STAMP = join(N8N_HOME, 'installed.json');

/** Whether N8N_HOME holds a complete install of this key whose sqlite3 loads on its Node.js. */
function usableInstall(): boolean {
	if (!existsSync(N8N_BIN) || !existsSync(STAMP)) return false;
	if (JSON.parse(readFileSync(STAMP, 'utf8')).key !== KEY) return false;
	return spawnSync(N8N_NODE, ['-e', 'require("sqlite3")'], { cwd: N8N_HOME, stdio: 'ignore' }).status === 0;
}

let checked = false;

/**
 * Returns the path of the pinned n8n's CLI, installing it first unless a checked install is
 * cached. Processes that need it at the same time (Jest's workers, two suites side by side)
 * take turns through a lock file, so only one installs and the others wait for it.
 */
export function ensureN8n(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): string {
	assertNode24();
	if (checked) return N8N_BIN;
	const lockFile = `${N8N_HOME}.lock`;
	let waiting = false;
	while (!usableInstall()) {
		mkdirSync(dirname(N8N_HOME), { recursive: true });
		if (takeLock(lockFile)) {
			try {
				if (!usableInstall()) install(log);
			} finally {
				rmSync(lockFile, { force: true });
			}
		} else {
			if (!waiting) log(`Waiting for another process to finish installing n8n ${N8N_VERSION}...`);
			waiting = true;
			sleep(2000);
		}
	}
	checked = true;
	return N8N_BIN;
}

/**
 * Installs n8n N8N_VERSION into N8N_HOME with the steps GUIDE.md sections 5 and 6 found to work:
 * the line's own Node.js first where it has one, `npm ci` of the committed lock file with install
 * scripts off (a Kafka client's native build fails), then sqlite3, the one native module n8n
 * needs, built for the Node.js n8n runs on (its prebuilt binaries are on GitHub, not in the
 * registry package). Without a lock file (a new line) it resolves one and says where to commit it.
 */
function install(log: (line: string) => void): void {
	rmSync(N8N_HOME, { recursive: true, force: true });
	rmSync(PARTIAL, { recursive: true, force: true });
	mkdirSync(PARTIAL, { recursive: true });
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
			// With its install script, which takes the platform's binary and headers from the registry.
			run('npm', ['install', `node@${LINE.node}`, '--no-audit', '--no-fund', '--loglevel=error'], { cwd: nodeProject });
		}
		// n8n's Node.js first on PATH, so that npm's child processes (node-gyp) run on it too.
		const env = {
			...process.env,
			PATH: `${dirname(nodeBin)}${delimiter}${process.env.PATH ?? ''}`,
			npm_config_nodedir: nodeHeadersDir(nodeProject),
		};
		const locked = existsSync(join(LINE_DIR, 'package-lock.json'));
		for (const file of LINE_FILES) if (existsSync(join(LINE_DIR, file))) copyFileSync(join(LINE_DIR, file), join(PARTIAL, file));
		run('npm', [locked ? 'ci' : 'install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: PARTIAL, env });
		run('npm', ['rebuild', 'sqlite3', '--loglevel=error'], { cwd: PARTIAL, env });
		run(nodeBin, ['-e', 'require("sqlite3")'], { cwd: PARTIAL, env });
		if (!locked) log(`No lock file was committed for n8n ${N8N_VERSION}: copy ${join(N8N_HOME, 'package-lock.json')} to ${LINE_DIR}.`);
		writeFileSync(join(PARTIAL, 'installed.json'), `${JSON.stringify({ key: KEY, n8n: N8N_VERSION, node: RUNS_ON }, null, 2)}\n`);
		renameSync(PARTIAL, N8N_HOME);
	} catch (error) {
		rmSync(PARTIAL, { recursive: true, force: true });
		throw error;
	}
	log(`Installed n8n ${N8N_VERSION} in ${Math.round((Date.now() - started) / 1000)} s.`);
}

/** n8n's HTTP Request node as the pinned n8n ships it (run in n8n-core's engine, it may use any credential type). */
export function httpRequestNode(): INodeType {
	const requireFromN8n = createRequire(join(N8N_HOME, 'package.json'));
	const { HttpRequestV3 } = requireFromN8n('n8n-nodes-base/dist/nodes/HttpRequest/V3/HttpRequestV3.node.js');
	return new HttpRequestV3({
		displayName: 'HTTP Request',
		name: 'httpRequest',
		group: ['output'],
		description: 'Makes an HTTP request',
		defaultVersion: 4.2,
	});
}
