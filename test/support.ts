import { createRequire } from 'node:module';
import { basename, join } from 'node:path';

import type { ExecutionError, ICredentialType, INodeExecutionData, INodeType } from 'n8n-workflow';

import packageJson from '../package.json';

import { N8nHarness, type RunResult } from './harness/n8n.ts';
import type { MockServer } from '../scripts/mock/server.ts';

/**
 * The package's node or credential classes, from the one list n8n reads (package.json's `n8n`
 * section), loaded from their sources: a provider added there is in every harness.
 */
function packageClasses<T>(kind: 'nodes' | 'credentials'): T[] {
	const load = createRequire(__filename);
	return (packageJson.n8n[kind] as string[]).map((distPath) => {
		// As n8n's loader: the class named as the file (`dist/nodes/C2m/C2m.node.js` holds `C2m`).
		const className = basename(distPath).split('.')[0];
		const source = join(__dirname, '..', distPath.replace(/^dist\//, '').replace(/\.js$/, ''));
		const exported = (load(source) as Record<string, new () => T>)[className];
		if (!exported) throw new Error(`${distPath} does not export ${className}`);
		return new exported();
	});
}

/** A harness with every node and credential type of the package, as n8n loads them. */
export function harnessWithEverything(): N8nHarness {
	return new N8nHarness(packageClasses<INodeType>('nodes'), packageClasses<ICredentialType>('credentials'));
}

/** Runs the servers for the whole test file, and forgets what they received before each test. */
export function serveDuringTests(servers: MockServer[]): void {
	beforeAll(async () => {
		await Promise.all(servers.map((server) => server.start()));
	});
	afterAll(async () => {
		await Promise.all(servers.map((server) => server.stop()));
	});
	beforeEach(() => {
		for (const server of servers) server.clearRequests();
	});
}

type ShownError = ExecutionError & { messages?: string[]; errorResponse?: unknown };

/** The parts of an error n8n shows or stores as text (the node's own parameters aside). */
function shownParts(error: ShownError | undefined) {
	return (
		error && {
			message: error.message,
			description: error.description,
			messages: error.messages,
			context: error.context,
			errorResponse: error.errorResponse,
			cause: error.cause,
			stack: error.stack,
		}
	);
}

/** Everything a run's output and errors show, as one string, to search for leaked secrets. */
export function everythingShown(result: RunResult): string {
	return JSON.stringify({
		items: result.items.map((item: INodeExecutionData) => ({
			json: item.json,
			error: shownParts(item.error as ShownError | undefined),
		})),
		error: shownParts(result.error as ShownError | undefined),
	});
}

/** The error of a failed run, failing the test when the run did not fail. */
export function errorOf(result: RunResult): ExecutionError {
	if (!result.error) throw new Error(`Expected the node to fail, it returned ${JSON.stringify(result.items)}`);
	return result.error;
}

/**
 * The token inside a stored session token, which is bound to its credential as
 * `<fingerprint>:<token>`, or `<fingerprint>@<renew after>:<token>` when its expiry is known.
 */
export function storedToken(sessionToken: unknown): string {
	const match = /^[0-9a-f]{32}(?:@\d+)?:(.+)$/s.exec(String(sessionToken));
	if (!match) throw new Error(`Not a bound session token: ${String(sessionToken)}`);
	return match[1];
}

/** A jest asymmetric matcher: `expect(value).toEqual(matching(...))` passes when `matches(value)`. */
function matching(description: string, matches: (value: unknown) => boolean) {
	return { $$typeof: Symbol.for('jest.asymmetricMatcher'), asymmetricMatch: matches, toString: () => description, toAsymmetricMatcher: () => description };
}

/** Matches an ISO 8601 instant about `seconds` from now (within 10 s): an issued token's `expires_at`. */
export function isoInstantIn(seconds: number) {
	return matching(
		`an ISO instant ${seconds} s from now`,
		(value) =>
			typeof value === 'string' &&
			new Date(Date.parse(value)).toISOString() === value &&
			Math.abs(Date.parse(value) - (Date.now() + seconds * 1000)) < 10_000,
	);
}

/** Matches a message of the package that names its credential: `The credential "<any name>" could not ...` for `The credential could not ...`. */
export function credentialSays(message: string) {
	const [before, after] = message.split(/(?<=\b[Tt]he credential)\b/);
	return matching(
		`${before} "<credential>"${after}`,
		(value) =>
			typeof value === 'string' && value.startsWith(`${before} "`) && value.endsWith(`"${after}`) && !value.slice(before.length + 2, -after.length - 1).includes('"'),
	);
}
