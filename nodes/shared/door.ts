/*
 * The door out: the one function every request of an operation (each call, each page) is sent
 * through. See theDoor.
 */
import {
	type DeclarativeRestApiSettings,
	type ICredentialDataDecryptedObject,
	type IExecutePaginationFunctions,
	type IHttpRequestMethods,
	type INodeExecutionData,
} from 'n8n-workflow';

import { findHttpFailure, HttpStatusError } from './httpErrors';
import type { ApiProvider } from './provider';
import { checkSentWithRunCredential, n8nKeepsHttpErrors } from './n8nInternals';
import { isAbsoluteUrl, requestUrlOf, sameOriginRedirect } from './redirects';
import { MAX_TIMEOUT_MS, pause, withinDeadline } from './timeout';
import { assertNoRefusedToken, refusedFreshToken } from './tokenRequests';
import { SESSION_TOKEN } from './storedToken';
import { assertSafeProxy, assertSendable } from './urls';

type RequestData = DeclarativeRestApiSettings.ResultOptions;

/**
 * n8n's makeRoutingRequest, with the answer of a failed request kept. Where n8n would drop it
 * (n8n 1.x), the request asks for error statuses as answers, which the operation's first
 * postReceive throws as an HttpStatusError holding the whole answer. After a 401 the request
 * is sent once more the usual way, with the item's token emptied: n8n renews a token before
 * sending when its copy is empty (and otherwise only after a 401 its own request met).
 */
async function sendKeepingErrorAnswers(
	context: IExecutePaginationFunctions,
	requestData: RequestData,
	itemCredential: ICredentialDataDecryptedObject | undefined,
): Promise<INodeExecutionData[]> {
	const node = context.getNode();
	if (n8nKeepsHttpErrors(node)) return await context.makeRoutingRequest(requestData);
	const outcome = await context
		.makeRoutingRequest({ ...requestData, options: { ...requestData.options, ignoreHttpStatusErrors: true } })
		.then(
			(items) => ({ items }),
			(error: unknown) => ({ error }),
		);
	if ('items' in outcome) return outcome.items;
	const hasCredential = Object.keys(node.credentials ?? {}).length > 0;
	if (outcome.error instanceof HttpStatusError && outcome.error.response.status === 401 && hasCredential) {
		// With the item's copy of the token emptied, n8n has the credential renew it before
		// sending again: one refused request, as on 2.x, rather than a second with the dead token.
		if (itemCredential && SESSION_TOKEN in itemCredential) itemCredential[SESSION_TOKEN] = '';
		return await context.makeRoutingRequest(requestData);
	}
	throw outcome.error;
}

/** What every request of an item must keep to, whatever sends it (see theDoor). */
export interface DoorRules {
	timeoutMs: number;
	/** The credential's Allow Unencrypted HTTP; undefined when the item sends without a credential. */
	allowHttp: boolean | undefined;
	/** Whether the credential manages a token, which n8n renews after a 401 before the answer reaches here. */
	managesToken: boolean;
}

/** Resolves once the signal aborts (the deadline of withinDeadline passes). */
function whenAborted(signal: AbortSignal): Promise<void> {
	if (signal.aborted) return Promise.resolve();
	return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/**
 * How long a request may still settle after its deadline: a credential's token request that
 * shares the Timeout ends at the same moment with its own, more precise, error.
 */
const SETTLE_MS = 250;

/**
 * The one way out for an item's requests (each call, each page): n8n's makeRoutingRequest with
 * - the URL rules applied to every address contacted (each hop, and the node's proxy);
 * - one deadline for the whole request, its hops and its body included;
 * - redirects decided by redirects.ts: n8n follows none, a same-origin redirect is sent again
 *   from here, and one to another origin fails before anything is sent there.
 */
export function theDoor(
	context: IExecutePaginationFunctions,
	provider: ApiProvider,
	itemCredential: ICredentialDataDecryptedObject | undefined,
	rules: DoorRules,
): IExecutePaginationFunctions['makeRoutingRequest'] {
	return async (requestData: RequestData) => {
		const { timeout, abortSignal: deadline } = withinDeadline(rules.timeoutMs);
		let current: RequestData = {
			...requestData,
			options: {
				...requestData.options,
				// The deadline decides, on both n8n lines: n8n 1.x words its own timeout as "The
				// connection was aborted", so the socket's is a second later.
				timeout: Math.min(timeout + 1000, MAX_TIMEOUT_MS),
				abortSignal: deadline,
				disableFollowRedirect: true,
				sendCredentialsOnCrossOriginRedirect: false,
			},
		};
		assertNoRefusedToken(context);
		for (let hop = 0; ; hop++) {
			const field = isAbsoluteUrl(current.options.url ?? '') ? 'The request URL' : 'Base URL';
			assertSendable(requestUrlOf(current.options), field, rules.allowHttp);
			assertSafeProxy(current.options.proxy, rules.allowHttp);
			const sending = sendKeepingErrorAnswers(context, current, itemCredential).then(
				(items) => ({ items }),
				(error: unknown) => ({ error }),
			);
			// n8n replaces the abort signal of an authenticated request with the execution's own,
			// so the deadline cannot always stop the request: the item stops waiting for it.
			const passed = { error: Object.assign(new Error(`timeout of ${rules.timeoutMs}ms exceeded`), { code: 'ETIMEDOUT' }) };
			const outcome = await Promise.race([
				sending,
				whenAborted(deadline).then(async () => await Promise.race([sending, pause(SETTLE_MS).then(() => passed)])),
			]);
			if ('items' in outcome) {
				if (itemCredential) checkSentWithRunCredential(context);
				return outcome.items;
			}
			const failure = findHttpFailure(outcome.error);
			if (failure?.status === 401 && rules.managesToken) throw refusedFreshToken(context, provider.displayName);
			const next =
				failure &&
				sameOriginRedirect(
					provider.displayName,
					requestUrlOf(current.options),
					current.options.method ?? 'GET',
					failure,
					hop,
				);
			if (!next) throw outcome.error;
			current = {
				...current,
				options: {
					...current.options,
					url: next.url,
					// The new address carries its own query.
					qs: {},
					method: next.method as IHttpRequestMethods,
					body: next.keepBody ? current.options.body : undefined,
				},
			};
		}
	};
}
