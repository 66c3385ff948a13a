/**
 * `npm run test:all`: everything CI runs (`.ci/run`), in CI's order, two at a time where the
 * two cores allow it, with each step's time. `npm test` first, while the real-n8n lines
 * install (or are found in the cache); then the end-to-end suites of both n8n lines side by
 * side; then queue mode beside lint and the scan. Steps run on after one fails, so that a run
 * reports every failure; the exit code is 1 when any failed.
 *
 * A step's output goes to .tmp/ci/<step>.log and is printed when the step ends, so that two
 * steps side by side do not interleave their lines.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT } from './n8n.ts';

const N8N1 = '1.123.81';
const LOGS = join(ROOT, '.tmp', 'ci');
const NODE_SCRIPT = ['--disable-warning=MODULE_TYPELESS_PACKAGE_JSON'];

interface Step {
	name: string;
	command: string[];
	env?: Record<string, string>;
}

interface Outcome {
	name: string;
	ok: boolean;
	seconds: number;
}

const outcomes: Outcome[] = [];
const started = Date.now();
const clock = () => `${Math.round((Date.now() - started) / 1000)} s`;
const say = (line: string) => process.stdout.write(`${line}\n`);

function runStep(step: Step): Promise<Outcome> {
	const logFile = join(LOGS, `${step.name.replace(/[^a-z0-9]+/gi, '-')}.log`);
	const log = createWriteStream(logFile);
	const begun = Date.now();
	say(`[${clock()}] start ${step.name}: ${step.command.join(' ')}`);
	const [command, ...args] = step.command;
	const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...step.env }, stdio: ['ignore', 'pipe', 'pipe'] });
	child.stdout.pipe(log);
	child.stderr.pipe(log);
	return new Promise((resolve) => {
		child.on('close', (code) => {
			log.end(() => {
				const outcome = { name: step.name, ok: code === 0, seconds: Math.round((Date.now() - begun) / 1000) };
				say(`\n----- ${step.name} (${outcome.ok ? 'passed' : `FAILED, exit ${code}`}, ${outcome.seconds} s) -----`);
				say(readFileSync(logFile, 'utf8').trimEnd());
				say(`----- end of ${step.name} -----\n`);
				outcomes.push(outcome);
				resolve(outcome);
			});
		});
	});
}

/** Runs the groups one after another; a group's lanes side by side, a lane's steps in turn. */
async function runGroups(groups: Array<Array<Step | Step[]>>): Promise<void> {
	for (const group of groups) {
		await Promise.all(
			group.map(async (lane) => {
				for (const step of Array.isArray(lane) ? lane : [lane]) await runStep(step);
			}),
		);
	}
}

async function main(): Promise<void> {
	mkdirSync(LOGS, { recursive: true });
	const prepare = (version: string): Step => ({
		name: `install n8n ${version} (cached after the first run)`,
		command: ['node', ...NODE_SCRIPT, 'scripts/prepare.ts'],
		env: { N8N_E2E_VERSION: version },
	});
	// npm test builds dist/; the suites after it use that build (a second build beside a running
	// suite would delete dist/ under it).
	await runGroups([
		[{ name: 'npm test', command: ['npm', 'test'] }, prepare('2.41.1'), prepare(N8N1)],
		[
			{ name: 'e2e n8n 2.41.1', command: ['jest', '--config', 'jest.e2e.config.js'] },
			{ name: `e2e n8n ${N8N1}`, command: ['jest', '--config', 'jest.e2e.config.js'], env: { N8N_E2E_VERSION: N8N1 } },
		],
		[
			{ name: 'queue mode', command: ['jest', '--config', 'jest.queue.config.js'] },
			[
				{ name: 'lint', command: ['npm', 'run', 'lint'] },
				{ name: 'scan', command: ['node', ...NODE_SCRIPT, 'scripts/scan.ts'] },
			],
		],
	]);
	say('Step times:');
	for (const { name, ok, seconds } of outcomes) say(`  ${ok ? 'passed' : 'FAILED'}  ${String(seconds).padStart(5)} s  ${name}`);
	say(`Total: ${clock()}`);
	if (outcomes.some((outcome) => !outcome.ok)) process.exit(1);
}

void main();
