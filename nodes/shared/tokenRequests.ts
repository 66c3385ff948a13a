import type { IExecuteData, IExecuteSingleFunctions, IN8nHttpFullResponse } from 'n8n-workflow';

import { wrapHttpRequest } from './n8nInternals';
import { oncePerNodeRun } from './nodeRun';
import { hashOf } from './storedToken';
import { pause, withinDeadline } from './timeout';
import { TOKEN_REQUEST, type MarkedRequest } from './tokenEndpoint';
import { UserError } from './userError';

/*
 * Identity providers lock an account after a few refusals, and a node run sends all items at once: within
 * a run, a refused token request is not sent again, and a passing failure is retried a few times.
 */

const MAX_ATTEMPTS = 3;

const BACKOFF_MS = 500;

interface Attempts {
	failures: number;
	retryAt?: number;
	final?: { response: IN8nHttpFullResponse } | { error: unknown };
}

interface RunMemory {
	requests: Map<string, Attempts>;
	refusedToken?: UserError;
}

const runsMemory = new WeakMap<IExecuteData, RunMemory>();

const memoryOf = (context: IExecuteSingleFunctions): RunMemory => oncePerNodeRun(runsMemory, context, () => ({ requests: new Map() }));

export function assertNoRefusedToken(context: IExecuteSingleFunctions): void {
	const { refusedToken } = memoryOf(context);
	if (refusedToken) throw refusedToken;
}

/** A 401 after n8n's renewal: the API refuses fresh tokens, so the run's other items ask for none. */
export function refusedFreshToken(context: IExecuteSingleFunctions, providerName: string): UserError {
	const memory = memoryOf(context);
	memory.refusedToken ??= new UserError(
		`${providerName} refused the access token the credential had just been issued`,
		`The token endpoint issued a token and ${providerName} answered 401 Unauthorized to it, after one renewal. The client or user may lack the scopes or roles these calls need, or the token endpoint may belong to another environment than the Base URL. The other items of this run were not sent and asked for no token; the next execution tries again.`,
	);
	return memory.refusedToken;
}

/** The node's Timeout and the run's memory of refusals, for token requests only (n8nInternals.ts, use 3). */
export function governTokenRequests(context: IExecuteSingleFunctions, timeoutMs: number): void {
	const memory = memoryOf(context).requests;
	wrapHttpRequest(context, (send) => async (request: MarkedRequest) => {
		if (!request[TOKEN_REQUEST]) return await send(request);
		const { method, url, baseURL, qs, body, auth, headers } = request;
		const key = hashOf([method, baseURL, url, qs, body, auth, headers]);
		const attempts = memory.get(key) ?? { failures: 0 };
		memory.set(key, attempts);
		if (attempts.final) {
			if ('error' in attempts.final) throw attempts.final.error;
			return attempts.final.response;
		}
		const settle = (final: Attempts['final']) => {
			attempts.failures += 1;
			if (attempts.failures >= MAX_ATTEMPTS) attempts.final = final;
			else attempts.retryAt = Date.now() + BACKOFF_MS * 2 ** (attempts.failures - 1);
		};
		const wait = Math.min((attempts.retryAt ?? 0) - Date.now(), timeoutMs - 1);
		if (wait > 0) await pause(wait);
		return await (send({ ...request, ...withinDeadline(timeoutMs - Math.max(wait, 0)) }) as Promise<IN8nHttpFullResponse>).then(
			(response: IN8nHttpFullResponse) => {
				const status = response?.statusCode ?? 200;
				if (status >= 400 && status < 500) attempts.final = { response };
				else if (status >= 500) settle({ response });
				return response;
			},
			async (error: unknown) => {
				settle({ error });
				return await Promise.reject(error);
			},
		);
	});
}
