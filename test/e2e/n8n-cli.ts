/**
 * Drives a real n8n through its CLI and reads what it prints. n8n logs one JSON record per line
 * (N8N_LOG_FORMAT=json), so its warnings can be told apart by level, and `execute --rawOutput`
 * logs the whole execution as the message of one info record.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { IRun, INodeExecutionData, ITaskData } from 'n8n-workflow';

import { mockCredentials, startMocks, type CredentialExport, type RunningMocks } from '../../scripts/mocks.ts';
import { ensureN8n } from '../../scripts/n8n.ts';
import {
	exampleWorkflows,
	importIntoN8n,
	installPackage,
	n8nEnv,
	packPackage,
	runN8n,
	type CliResult,
} from '../../scripts/sandbox.ts';

export interface LogRecord {
	level: string;
	message: string;
}

/**
 * Warnings n8n 2.41.1 logs here whatever it loads: a new database being set up, no Python for
 * the Python task runner, and no key from n8n 1.x to decrypt old credentials with.
 */
const HARMLESS_WARNINGS = [
	/^Migrations in progress, please do NOT stop the process\.$/,
	/^Failed to start Python task runner/,
	/^Legacy aes-256-cbc encryption key not found/,
];

/** The log records of a CLI run; lines that are not JSON records (a crash, say) become errors. */
export function logRecords(result: CliResult): LogRecord[] {
	return `${result.stdout}\n${result.stderr}`
		.split('\n')
		.filter((line) => line.trim() !== '')
		.map((line) => {
			try {
				const record = JSON.parse(line) as LogRecord;
				if (typeof record.level === 'string' && typeof record.message === 'string') return record;
			} catch {
				// not a log record
			}
			return { level: 'error', message: `(unstructured output) ${line}` };
		});
}

function isExecution(message: string): boolean {
	return message.startsWith('{') && message.includes('"resultData"');
}

export interface Execution {
	workflowId: string;
	exitCode: number | null;
	run: IRun;
	/** Warnings and errors n8n logged before the execution result: start-up, package loading, the run. */
	problems: LogRecord[];
	/** The most memory the n8n process held during the command (see runN8n). */
	peakRssMb?: number;
}

export interface RealN8n {
	mocks: RunningMocks;
	/** The n8n user folder; its database is `.n8n/database.sqlite`. */
	userFolder: string;
	/** The credentials imported, as written before n8n encrypted them. */
	credentials: CredentialExport[];
	execute(workflowId: string): Promise<Execution>;
	/** Imports more workflows (JSON texts, with public addresses) after the examples. */
	importWorkflows(workflows: string[]): Promise<void>;
	/** Imports credentials; one with the ID of an existing credential replaces its data, as an edit in the editor does. */
	importCredentials(credentials: CredentialExport[]): Promise<void>;
	/** A credential's data as n8n stores it now, decrypted (hidden fields such as a stored token included). */
	exportCredential(id: string): Promise<Record<string, unknown>>;
	/** Warnings and errors of every CLI run so far, apart from the harmless ones. */
	problems: Array<LogRecord & { command: string }>;
	stop(): Promise<void>;
}

/**
 * A real n8n (installed on first use), a fresh user folder with this package installed from
 * its `npm pack` tarball, the mocks running in this process, and the example workflows and
 * their credentials imported. `env` adds to the environment n8n runs with.
 */
export async function startRealN8n(options: { env?: Record<string, string> } = {}): Promise<RealN8n> {
	ensureN8n();
	const dir = mkdtempSync(join(tmpdir(), 'n8n-e2e-'));
	const userFolder = join(dir, 'user');
	installPackage(userFolder, packPackage(join(dir, 'pack')));
	const env = n8nEnv(userFolder, { N8N_LOG_FORMAT: 'json', ...options.env });
	const mocks = await startMocks('free');
	const problems: RealN8n['problems'] = [];

	const record = (command: string, result: CliResult, upTo = Infinity, expectedError?: string) => {
		const found = logRecords(result)
			.slice(0, upTo)
			.filter((entry) => entry.level === 'warn' || entry.level === 'error')
			.filter((entry) => !HARMLESS_WARNINGS.some((harmless) => harmless.test(entry.message)))
			// n8n logs the run's error as it happens; for a credential's error in its HTTP Request node, with the stack.
			.filter((entry) => !expectedError || !entry.message.startsWith(expectedError));
		problems.push(...found.map((entry) => ({ command, ...entry })));
		return found;
	};
	const importWorkflows = async (workflows: string[]) => {
		const results = await importIntoN8n(env, join(dir, 'import'), [], workflows.map(mocks.rewrite));
		results.forEach((result) => record('import', result));
	};
	const importCredentials = async (more: CredentialExport[]) => {
		const results = await importIntoN8n(env, join(dir, 'import'), more, []);
		results.forEach((result) => record('import', result));
	};
	const exportCredential = async (id: string) => {
		const file = join(dir, `export-${id}.json`);
		const result = await runN8n(['export:credentials', `--id=${id}`, '--decrypted', `--output=${file}`], env);
		if (result.code !== 0) throw new Error(`n8n export:credentials failed:\n${result.stdout}\n${result.stderr}`);
		const [exported] = JSON.parse(readFileSync(file, 'utf8')) as Array<{ data: Record<string, unknown> }>;
		return exported.data;
	};
	const credentials = mockCredentials(mocks);
	try {
		const results = await importIntoN8n(
			env,
			join(dir, 'import'),
			credentials,
			exampleWorkflows().map((example) => mocks.rewrite(example.json)),
		);
		results.forEach((result) => record('import', result));
	} catch (error) {
		await mocks.stop();
		throw error;
	}

	return {
		mocks,
		userFolder,
		credentials,
		problems,
		importWorkflows,
		importCredentials,
		exportCredential,
		async execute(workflowId) {
			const result = await runN8n(['execute', `--id=${workflowId}`, '--rawOutput'], env);
			const records = logRecords(result);
			const at = records.findIndex((entry) => entry.level === 'info' && isExecution(entry.message));
			if (at === -1) {
				throw new Error(`n8n printed no execution for ${workflowId} (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
			}
			const run = JSON.parse(records[at].message) as IRun;
			// n8n logs the error of a failed run as it happens, and reports it again after the
			// result; the tests read that error from the result itself.
			return {
				workflowId,
				exitCode: result.code,
				run,
				problems: record(`execute ${workflowId}`, result, at, run.data.resultData.error?.message),
				peakRssMb: result.peakRssMb,
			};
		},
		stop: () => mocks.stop(),
	};
}

/** The runs of one node in an execution, failing the test when the node did not run. */
export function runsOf(execution: Execution, nodeName: string): ITaskData[] {
	const runs = execution.run.data.resultData.runData[nodeName];
	if (!runs) {
		const ran = Object.keys(execution.run.data.resultData.runData).join(', ');
		throw new Error(`"${nodeName}" did not run in ${execution.workflowId} (ran: ${ran})`);
	}
	return runs;
}

/** The items a node sent out of one of its outputs (0: main, 1: error output), in its first run. */
export function itemsOf(execution: Execution, nodeName: string, output = 0): INodeExecutionData[] {
	return runsOf(execution, nodeName)[0].data?.main[output] ?? [];
}

export function jsonOf(execution: Execution, nodeName: string, output = 0): Array<Record<string, unknown>> {
	return itemsOf(execution, nodeName, output).map((item) => item.json);
}

export function ran(execution: Execution, nodeName: string): boolean {
	return nodeName in execution.run.data.resultData.runData;
}

/** The error a failed execution stopped with, as the editor shows it. */
export function stoppedWith(execution: Execution): { message: string; description: string; node: { name: string } } {
	const { error } = execution.run.data.resultData;
	if (execution.run.status !== 'error' || !error) {
		throw new Error(`${execution.workflowId} did not fail: ${JSON.stringify(execution.run.data.resultData.runData)}`);
	}
	return error as unknown as { message: string; description: string; node: { name: string } };
}
