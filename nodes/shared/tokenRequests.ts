import { createHash } from 'crypto';
import type { IExecuteData, IExecuteSingleFunctions, IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

import { wrapHttpRequest } from './n8nInternals';
import { oncePerNodeRun } from './nodeRun';
import { pause, withinDeadline } from './timeout';
import { TOKEN_REQUEST, type MarkedRequest } from './tokenEndpoint';
import { UserError } from './userError';

/*
 * A credential's token requests as a node run sends them. Identity providers lock an account
 * after a few refused attempts, and a node run sends every item's request at once: so within
 * one node run a token request the endpoint refused (4xx: a wrong password, invalid_grant) is
 * not sent again, and one that failed for a passing reason (5xx, no answer) is sent at most
 * MAX_ATTEMPTS times, a little later each time. Each later item gets the same answer, and so the same error. An API that
 * refuses a token just issued (after n8n renewed it for a 401) is told once: the node run's
 * other items fail with that, and ask for no token. The next node run tries again.
 */

/** Attempts of one token request per node run when it fails for a passing reason. */
export const MAX_ATTEMPTS = 3;

/** The wait before the second attempt; it doubles before each later one, within the node's Timeout. */
const BACKOFF_MS = 500;

/** What a node run knows of one token request: how often it failed, and its final answer once it is settled. */
interface Attempts {
	failures: number;
	/** When the next attempt may go out (epoch ms), after a failure. */
	retryAt?: number;
	final?: { response: IN8nHttpFullResponse } | { error: unknown };
}

/** What a node run knows of its credential's tokens. */
interface RunMemory {
	requests: Map<string, Attempts>;
	/** Set once the API refused a token that had just been issued. */
	refusedToken?: UserError;
}

const runsMemory = new WeakMap<IExecuteData, RunMemory>();

const memoryOf = (context: IExecuteSingleFunctions): RunMemory => oncePerNodeRun(runsMemory, context, () => ({ requests: new Map() }));

/** Throws when the API refused a freshly issued token earlier in this node run: nothing is sent, no token asked for. */
export function assertNoRefusedToken(context: IExecuteSingleFunctions): void {
	const { refusedToken } = memoryOf(context);
	if (refusedToken) throw refusedToken;
}

/**
 * The error of an API 401 that came after n8n renewed the credential's token for the request
 * (n8n renews once after a 401 and sends again): the API refuses tokens that were just issued.
 * The node run remembers it (see assertNoRefusedToken).
 */
export function refusedFreshToken(context: IExecuteSingleFunctions, providerName: string): UserError {
	const memory = memoryOf(context);
	memory.refusedToken ??= new UserError(
		`${providerName} refused the access token the credential had just been issued`,
		`The token endpoint issued a token and ${providerName} answered 401 Unauthorized to it, after one renewal. The client or user may lack the scopes or roles these calls need, or the token endpoint may belong to another environment than the Base URL. The other items of this run were not sent and asked for no token; the next execution tries again.`,
	);
	return memory.refusedToken;
}

function keyOf({ method, url, baseURL, qs, body, auth, headers }: IHttpRequestOptions): string {
	return createHash('sha256').update(JSON.stringify([method, baseURL, url, qs, body, auth, headers])).digest('hex');
}

/**
 * Governs the token requests the credential sends for this item: the node's Timeout, and the
 * node run's memory of refusals. n8n hands a credential's preAuthentication nothing of the node
 * but a wrapper around the item's own `helpers.httpRequest` (n8n 2.41 adds the credential's
 * allowed domains there, copying the request options, marks included), so the item's
 * `httpRequest` is where the node run can reach them. Other requests pass through unchanged.
 */
export function governTokenRequests(context: IExecuteSingleFunctions, timeoutMs: number): void {
	const memory = memoryOf(context).requests;
	wrapHttpRequest(context, (send) => async (request: MarkedRequest) => {
		if (!request[TOKEN_REQUEST]) return await send(request);
		const key = keyOf(request);
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
