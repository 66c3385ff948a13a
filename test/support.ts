import type { ExecutionError, INodeExecutionData } from 'n8n-workflow';

import { C2mClientKeyApi } from '../credentials/C2mClientKeyApi.credentials';
import { C2mLongTermTokenApi } from '../credentials/C2mLongTermTokenApi.credentials';
import { C2mShortTermTokenApi } from '../credentials/C2mShortTermTokenApi.credentials';
import { ConfluentCloudApi } from '../credentials/ConfluentCloudApi.credentials';
import { ConfluentCloudIdentityPoolOAuth2Api } from '../credentials/ConfluentCloudIdentityPoolOAuth2Api.credentials';
import { KnetikCloudOAuth2Api } from '../credentials/KnetikCloudOAuth2Api.credentials';
import { KnetikCloudPasswordOAuth2Api } from '../credentials/KnetikCloudPasswordOAuth2Api.credentials';
import { RunAiApi } from '../credentials/RunAiApi.credentials';
import { C2m } from '../nodes/C2m/C2m.node';
import { ConfluentCloud } from '../nodes/ConfluentCloud/ConfluentCloud.node';
import { KnetikCloud } from '../nodes/KnetikCloud/KnetikCloud.node';
import { RunAi } from '../nodes/RunAi/RunAi.node';
import { N8nHarness, type RunResult } from './harness/n8n.ts';
import type { MockServer } from '../scripts/mock/server.ts';

/** A harness with every node and credential type of the package, as n8n loads them. */
export function harnessWithEverything(): N8nHarness {
	return new N8nHarness(
		[new ConfluentCloud(), new RunAi(), new KnetikCloud(), new C2m()],
		[
			new ConfluentCloudApi(),
			new ConfluentCloudIdentityPoolOAuth2Api(),
			new RunAiApi(),
			new KnetikCloudOAuth2Api(),
			new KnetikCloudPasswordOAuth2Api(),
			new C2mClientKeyApi(),
			new C2mLongTermTokenApi(),
			new C2mShortTermTokenApi(),
		],
	);
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

/** Matches an ISO 8601 instant about `seconds` from now (within 10 s): an issued token's `expires_at`. */
export function isoInstantIn(seconds: number) {
	return {
		$$typeof: Symbol.for('jest.asymmetricMatcher'),
		asymmetricMatch: (value: unknown) =>
			typeof value === 'string' &&
			new Date(Date.parse(value)).toISOString() === value &&
			Math.abs(Date.parse(value) - (Date.now() + seconds * 1000)) < 10_000,
		toString: () => `an ISO instant ${seconds} s from now`,
		toAsymmetricMatcher: () => `an ISO instant ${seconds} s from now`,
	};
}
