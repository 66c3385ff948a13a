/**
 * `npm run scan`: the lint of n8n's community-package scanner (@n8n/scan-community-package,
 * which n8n runs to verify a package), on this machine. The scanner itself downloads the
 * published version and the source its npm provenance names; here it lints the sources and
 * the tarball `npm pack` makes, with its own ESLint configuration and file patterns.
 * The scanner is installed on first use into the cache outside the clone, pinned, like the n8n
 * of the e2e tests.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { CACHE_DIR, ROOT } from './n8n.ts';
import { packPackage } from './sandbox.ts';

const SCANNER_VERSION = '0.32.0';
const SCANNER_HOME = join(CACHE_DIR, `scan-community-package-${SCANNER_VERSION}`);
const SCANNER_MODULE = join(SCANNER_HOME, 'node_modules', '@n8n', 'scan-community-package', 'scanner', 'scanner.mjs');

interface Analysis {
	passed: boolean;
	message?: string;
	details?: string;
}

interface Scanner {
	analyzePackage(packageDir: string, filePatterns: string[]): Promise<Analysis>;
	SOURCE_FILE_PATTERNS: string[];
}

function run(command: string, args: string[], cwd: string): void {
	const result = spawnSync(command, args, { cwd, stdio: 'inherit' });
	if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
}

function ensureScanner(): void {
	if (existsSync(SCANNER_MODULE)) return;
	const partial = `${SCANNER_HOME}.partial`;
	rmSync(partial, { recursive: true, force: true });
	mkdirSync(partial, { recursive: true });
	writeFileSync(join(partial, 'package.json'), '{ "name": "scanner-for-scan", "private": true }\n');
	process.stdout.write(`Installing @n8n/scan-community-package ${SCANNER_VERSION} into ${CACHE_DIR} (first run only)...\n`);
	run('npm', ['install', `@n8n/scan-community-package@${SCANNER_VERSION}`, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], partial);
	renameSync(partial, SCANNER_HOME);
}

async function main(): Promise<void> {
	ensureScanner();
	const scanner = (await import(pathToFileURL(SCANNER_MODULE).href)) as Scanner;

	const unpacked = join(ROOT, '.tmp', 'scan');
	rmSync(unpacked, { recursive: true, force: true });
	const tarball = packPackage(join(ROOT, '.tmp'));
	mkdirSync(unpacked, { recursive: true });
	run('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1'], ROOT);

	// The two legs of the scanner's analyzePackageByName: the attested source, and the
	// published artifact's compiled JavaScript and package.json.
	const legs: Array<[string, string, string[]]> = [
		['sources', ROOT, scanner.SOURCE_FILE_PATTERNS],
		['packed tarball', unpacked, ['**/*.js', 'package.json']],
	];
	let passed = true;
	for (const [name, folder, patterns] of legs) {
		const result = await scanner.analyzePackage(folder, patterns);
		process.stdout.write(`${result.passed ? 'passed' : 'FAILED'}: ${name} (${patterns.join(', ')})\n`);
		if (!result.passed) process.stdout.write(`${result.message ?? ''}\n${result.details ?? ''}\n`);
		passed &&= result.passed;
	}
	process.stdout.write('Not checked here: npm provenance, and the source it attests (README: n8n Cloud and the scanner).\n');
	if (!passed) process.exit(1);
}

main().catch((error: Error) => {
	process.stderr.write(`${error.stack ?? error.message}\n`);
	process.exit(1);
});
