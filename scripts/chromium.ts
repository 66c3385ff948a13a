/**
 * Chromium for the editor test and the screenshots: Debian's `chromium` package, installed on
 * first use when this runs as root on a Debian-like machine (as CI does), or CHROMIUM_PATH.
 * Playwright's own browser download cannot be used here: it fetches from a host this machine's
 * network does not reach.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

export function ensureChromium(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): string {
	const configured = process.env.CHROMIUM_PATH;
	if (configured) {
		if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH is ${configured}, which does not exist`);
		return configured;
	}
	if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
	const canInstall = process.getuid?.() === 0 && spawnSync('apt-get', ['--version']).status === 0;
	if (!canInstall) {
		throw new Error(`Chromium not found at ${DEBIAN_CHROMIUM}: install Debian's chromium package (apt-get install chromium), or set CHROMIUM_PATH`);
	}
	log('Installing Chromium (Debian package chromium, first run only)...');
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'chromium']]) {
		const result = spawnSync('apt-get', args, { stdio: 'inherit', env });
		if (result.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
	}
	if (!existsSync(DEBIAN_CHROMIUM)) throw new Error(`apt-get installed chromium, but ${DEBIAN_CHROMIUM} is missing`);
	return DEBIAN_CHROMIUM;
}
