/**
 * `npm start`: a real n8n on localhost with this package installed the way the Community Nodes
 * panel installs it, every API mocked on loopback, credentials and example workflows imported,
 * and an owner account to sign in with. Works offline once n8n is installed. Ctrl-C stops it all.
 *
 * The sandbox (.tmp/sandbox) is made anew on every start, so each start looks the same.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { N8N_VERSION, ROOT } from './n8n.ts';
import { EDITOR_URL, exampleWorkflows, OWNER, startSandbox } from './sandbox.ts';

const SANDBOX = join(ROOT, '.tmp', 'sandbox');

function say(line: string): void {
	process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
	say('Building the package...');
	if (spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' }).status !== 0) {
		throw new Error('npm run build failed');
	}
	say(`Starting n8n ${N8N_VERSION}...`);
	const sandbox = await startSandbox({ folder: SANDBOX, port: Number(new URL(EDITOR_URL).port), mockPorts: 'fixed', say });
	void sandbox.exited.then((asked) => {
		if (!asked) say(`n8n exited; its log is in ${sandbox.logFile}.`);
		process.exit(asked ? 0 : 1);
	});
	const stop = () => {
		say('\nStopping n8n and the mock APIs...');
		void sandbox.stop();
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);

	const apis = Object.entries(sandbox.mocks.urls)
		.map(([name, url]) => `${name} ${url}`)
		.join(', ');
	say(`\nMock APIs: ${apis}. n8n's log: ${sandbox.logFile}`);
	say(`Examples: ${exampleWorkflows().length} workflows under Overview, with credentials for the mocks.`);
	say(`n8n is ready: open ${EDITOR_URL} and sign in as ${OWNER.email} with password ${OWNER.password}. Ctrl-C stops everything.`);
}

main().catch((error: Error) => {
	process.stderr.write(`npm start failed: ${error.message}\n`);
	process.exit(1);
});
