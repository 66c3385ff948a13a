/**
 * `npm start`: a real n8n on localhost with this package installed the way the Community Nodes
 * panel installs it, every API mocked on loopback, credentials and example workflows imported,
 * and an owner account to sign in with. Works offline once n8n is installed. Ctrl-C stops it all.
 *
 * The sandbox (.tmp/sandbox) is made anew on every start, so each start looks the same.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, rmSync } from 'node:fs';
import { join } from 'node:path';

import { mockCredentials, startMocks } from './mocks.ts';
import { ensureN8n, N8N_VERSION, ROOT } from './n8n.ts';
import {
	EDITOR_URL,
	exampleWorkflows,
	importIntoN8n,
	installPackage,
	n8nEnv,
	OWNER,
	packPackage,
	spawnN8n,
} from './sandbox.ts';

const SANDBOX = join(ROOT, '.tmp', 'sandbox');
const LOG_FILE = join(SANDBOX, 'n8n.log');

function say(line: string): void {
	process.stdout.write(`${line}\n`);
}

async function waitUntilReady(url: string, n8nExited: () => boolean): Promise<void> {
	for (let attempt = 0; attempt < 240; attempt++) {
		if (n8nExited()) throw new Error(`n8n stopped while starting; its log is in ${LOG_FILE}`);
		const ready = await fetch(`${url}/healthz/readiness`).then(
			(response) => response.ok,
			() => false,
		);
		if (ready) return;
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

async function main(): Promise<void> {
	ensureN8n(say);
	say('Building the package...');
	if (spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' }).status !== 0) {
		throw new Error('npm run build failed');
	}

	rmSync(SANDBOX, { recursive: true, force: true });
	const userFolder = join(SANDBOX, 'user');
	installPackage(userFolder, packPackage(join(SANDBOX, 'pack')));
	const mocks = await startMocks('fixed');
	const env = n8nEnv(userFolder, { N8N_PORT: '5678', N8N_HOST: 'localhost' });

	say('Importing credentials and example workflows...');
	await importIntoN8n(
		env,
		join(SANDBOX, 'import'),
		mockCredentials(mocks),
		exampleWorkflows().map((example) => mocks.rewrite(example.json)),
	);

	say(`Starting n8n ${N8N_VERSION}...`);
	// n8n's own log goes to a file: offline, it logs every failed call to n8n.io at length.
	const log = createWriteStream(LOG_FILE);
	const n8n = await spawnN8n(['start'], env);
	n8n.stdout?.pipe(log);
	n8n.stderr?.pipe(log);
	let exited = false;
	let stopping = false;
	n8n.on('exit', (code) => {
		exited = true;
		void mocks.stop().then(() => {
			if (!stopping) say(`n8n exited (${code}); its log is in ${LOG_FILE}.`);
			process.exit(stopping ? 0 : 1);
		});
	});
	const stop = () => {
		if (stopping) return;
		stopping = true;
		say('\nStopping n8n and the mock APIs...');
		n8n.kill('SIGTERM');
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);

	await waitUntilReady(EDITOR_URL, () => exited);
	await setUpOwner(EDITOR_URL);
	const apis = Object.entries(mocks.urls)
		.map(([name, url]) => `${name} ${url}`)
		.join(', ');
	say(`\nMock APIs: ${apis}. n8n's log: ${LOG_FILE}`);
	say(`Examples: ${exampleWorkflows().length} workflows under Overview, with credentials for the mocks.`);
	say(`n8n is ready: open ${EDITOR_URL} and sign in as ${OWNER.email} with password ${OWNER.password}. Ctrl-C stops everything.`);
}

main().catch((error: Error) => {
	process.stderr.write(`npm start failed: ${error.message}\n`);
	process.exit(1);
});
