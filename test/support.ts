import type { ExecutionError, INodeExecutionData } from 'n8n-workflow';

import type { RunResult } from './harness/n8n.ts';

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

/** The token inside a stored session token, which is bound to its credential as `<fingerprint>:<token>`. */
export function storedToken(sessionToken: unknown): string {
	const match = /^[0-9a-f]{32}:(.+)$/s.exec(String(sessionToken));
	if (!match) throw new Error(`Not a bound session token: ${String(sessionToken)}`);
	return match[1];
}
