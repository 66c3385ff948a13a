import type {
	DeclarativeRestApiSettings,
	ICredentialDataDecryptedObject,
	IExecutePaginationFunctions,
	INodeExecutionData,
} from 'n8n-workflow';

import { findHttpFailure, HttpStatusError } from './httpErrors';
import type { ApiProvider } from './provider';
import { checkSentWithRunCredential } from './n8nInternals';
import { followingSameOrigin, isAbsoluteUrl, requestUrlOf } from './redirects';
import { MAX_TIMEOUT_MS, pause, timeoutError, whenAborted, withinDeadline } from './timeout';
import { assertNoRefusedToken, refusedFreshToken } from './tokenRequests';
import { SESSION_TOKEN } from './storedToken';
import { outcomeOf } from './userError';
import { assertSafeProxy, assertSendable } from './urls';

type RequestData = DeclarativeRestApiSettings.ResultOptions;

/**
 * Error statuses come back as answers, for the first postReceive to throw with their body (n8n 1.x
 * drops it from its errors), on both lines alike. n8n then renews no token on a 401 itself, so a
 * token-managing credential's request is resent once, the item's copy of its token emptied: n8n
 * renews an empty token before sending (a per-item credential's renews as its token was refused).
 */
async function sendKeepingErrorAnswers(
	context: IExecutePaginationFunctions,
	requestData: RequestData,
	rules: DoorRules,
): Promise<INodeExecutionData[]> {
	const send = () => context.makeRoutingRequest({ ...requestData, options: { ...requestData.options, ignoreHttpStatusErrors: true } });
	const outcome = await outcomeOf(send());
	if ('value' in outcome) return outcome.value;
	if (!(outcome.error instanceof HttpStatusError && outcome.error.response.status === 401 && rules.managesToken)) throw outcome.error;
	if (rules.itemCredential && SESSION_TOKEN in rules.itemCredential) rules.itemCredential[SESSION_TOKEN] = '';
	return await send();
}

export interface DoorRules {
	timeoutMs: number;
	/** undefined when the item sends without a credential. */
	allowHttp: boolean | undefined;
	managesToken: boolean;
	/** The item's copy of the node run's credential, where items share one (nodeCredential.ts). */
	itemCredential?: ICredentialDataDecryptedObject;
}

/** A token request sharing the Timeout ends at the same moment, with a more precise error: let it win. */
const SETTLE_MS = 250;

/** The one way out for an item's requests: URL rules on every address, one deadline, same-origin redirects only, answers read by answer.ts. */
export function theDoor(
	context: IExecutePaginationFunctions,
	provider: ApiProvider,
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
			const sending = outcomeOf(sendKeepingErrorAnswers(context, { ...requestData, options }, rules));
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
			if (rules.itemCredential) checkSentWithRunCredential(context);
			return outcome.value;
		}
		if (findHttpFailure(outcome.error)?.status === 401 && rules.managesToken) throw refusedFreshToken(context, provider.displayName);
		throw outcome.error;
	};
}
