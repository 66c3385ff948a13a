import type {
	DeclarativeRestApiSettings,
	ICredentialDataDecryptedObject,
	IExecutePaginationFunctions,
	INodeExecutionData,
} from 'n8n-workflow';

import { readFailedAnswer } from './answer';
import { findHttpFailure, HttpStatusError } from './httpErrors';
import type { ApiProvider } from './provider';
import { checkSentWithRunCredential, n8nKeepsHttpErrors } from './n8nInternals';
import { followingSameOrigin, isAbsoluteUrl, requestUrlOf } from './redirects';
import { MAX_TIMEOUT_MS, pause, timeoutError, whenAborted, withinDeadline } from './timeout';
import { assertNoRefusedToken, refusedFreshToken } from './tokenRequests';
import { SESSION_TOKEN } from './storedToken';
import { outcomeOf } from './userError';
import { assertSafeProxy, assertSendable } from './urls';

type RequestData = DeclarativeRestApiSettings.ResultOptions;

/** Where n8n 1.x would drop a failed request's answer, it comes back as one for the first postReceive to throw. */
async function sendKeepingErrorAnswers(
	context: IExecutePaginationFunctions,
	requestData: RequestData,
	itemCredential: ICredentialDataDecryptedObject | undefined,
): Promise<INodeExecutionData[]> {
	const node = context.getNode();
	if (n8nKeepsHttpErrors(node)) return await context.makeRoutingRequest(requestData);
	const outcome = await outcomeOf(
		context.makeRoutingRequest({ ...requestData, options: { ...requestData.options, ignoreHttpStatusErrors: true } }),
	);
	if ('value' in outcome) return outcome.value;
	const hasCredential = Object.keys(node.credentials ?? {}).length > 0;
	if (outcome.error instanceof HttpStatusError && outcome.error.response.status === 401 && hasCredential) {
		// n8n renews an empty token before sending, so the resend does not reuse the dead one.
		if (itemCredential && SESSION_TOKEN in itemCredential) itemCredential[SESSION_TOKEN] = '';
		return await context.makeRoutingRequest(requestData);
	}
	throw outcome.error;
}

export interface DoorRules {
	timeoutMs: number;
	/** undefined when the item sends without a credential. */
	allowHttp: boolean | undefined;
	/** n8n has already renewed such a credential's token after a 401 by the time the answer gets here. */
	managesToken: boolean;
}

/** A token request sharing the Timeout ends at the same moment, with a more precise error: let it win. */
const SETTLE_MS = 250;

/** The one way out for an item's requests: URL rules on every address, one deadline, same-origin redirects only, answers read by answer.ts. */
export function theDoor(
	context: IExecutePaginationFunctions,
	provider: ApiProvider,
	itemCredential: ICredentialDataDecryptedObject | undefined,
	rules: DoorRules,
): IExecutePaginationFunctions['makeRoutingRequest'] {
	return async (requestData: RequestData) => {
		const { timeout, abortSignal: deadline } = withinDeadline(rules.timeoutMs);
		const first = {
			...requestData.options,
			// The deadline must fire first: n8n 1.x words a socket timeout as "The connection was aborted".
			timeout: Math.min(timeout + 1000, MAX_TIMEOUT_MS),
			abortSignal: deadline,
			disableFollowRedirect: true,
			sendCredentialsOnCrossOriginRedirect: false,
			encoding: 'stream' as const,
		};
		assertNoRefusedToken(context);
		const sendHop = async (options: RequestData['options']) => {
			const url = requestUrlOf(options);
			assertSendable(url, isAbsoluteUrl(options.url ?? '') ? 'The request URL' : 'Base URL', rules.allowHttp);
			assertSafeProxy(options.proxy, url, rules.allowHttp);
			const sending = outcomeOf(sendKeepingErrorAnswers(context, { ...requestData, options }, itemCredential)).then(async (outcome) => {
				if ('error' in outcome) await readFailedAnswer(outcome.error, provider.displayName, rules.timeoutMs);
				return outcome;
			});
			// n8n replaces the abort signal of an authenticated request with the execution's own,
			// so the deadline cannot always stop the request: the item stops waiting for it.
			const passed = { error: timeoutError(rules.timeoutMs) };
			return await Promise.race([
				sending,
				whenAborted(deadline).then(async () => await Promise.race([sending, pause(SETTLE_MS).then(() => passed)])),
			]);
		};
		const outcome = await followingSameOrigin(provider.displayName, first, sendHop, (result) =>
			'error' in result ? findHttpFailure(result.error) : undefined,
		);
		if ('value' in outcome) {
			if (itemCredential) checkSentWithRunCredential(context);
			return outcome.value;
		}
		if (findHttpFailure(outcome.error)?.status === 401 && rules.managesToken) throw refusedFreshToken(context, provider.displayName);
		throw outcome.error;
	};
}
