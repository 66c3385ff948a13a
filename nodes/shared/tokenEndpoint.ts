import type { IDataObject, IHttpRequestHelper, IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

import { readAnswer } from './answer';
import { describeHttpFailure, undocumentedAnswer } from './httpErrors';
import type { ApiProvider } from './provider';
import { redactDeep, redactSecrets, secretValuesByName } from './redaction';
import { followingSameOrigin } from './redirects';
import { DEFAULT_TIMEOUT_MS, inSeconds, isTimeout, timeoutOf, withinDeadline } from './timeout';
import { outcomeOf, UserError } from './userError';

/** So that the node run it is sent for can govern it (tokenRequests.ts). */
export const TOKEN_REQUEST = Symbol('tokenRequest');

export type MarkedRequest = IHttpRequestOptions & { [TOKEN_REQUEST]?: true };

export function tokenRequest(request: IHttpRequestOptions): IHttpRequestOptions {
	return { ...withinDeadline(DEFAULT_TIMEOUT_MS), ...request, [TOKEN_REQUEST]: true } as MarkedRequest;
}

/** No answer or a 5xx: worth another attempt. Any other failure is a refusal. */
const passingFailures = new WeakSet<object>();

function failedForAPassingReason(error: UserError): UserError {
	passingFailures.add(error);
	return error;
}

export const isPassingFailure = (error: unknown): boolean => typeof error === 'object' && error !== null && passingFailures.has(error);

/** Same-origin redirects only, so secrets go nowhere else; a captive portal's page is not a token; errors hold no secret. */
export async function requestToken(
	helper: IHttpRequestHelper,
	provider: ApiProvider,
	request: IHttpRequestOptions,
	{ successStatus = 200 }: { successStatus?: number } = {},
): Promise<IDataObject> {
	const secrets = secretsSentIn(request);
	const outcome = await outcomeOf(sendTokenRequest(helper, provider, request, successStatus, secrets));
	if ('value' in outcome) return outcome.value;
	// n8n's HTTP Request node shows it as it is.
	const { message, description } = outcome.error as UserError;
	const cleaned = new UserError(redactSecrets(message, secrets), redactSecrets(description ?? '', secrets));
	throw isPassingFailure(outcome.error) ? failedForAPassingReason(cleaned) : cleaned;
}

/** A token endpoint can only echo back what it was sent. */
function secretsSentIn(request: IHttpRequestOptions): string[] {
	const authorization = Object.entries(request.headers ?? {}).find(([name]) => name.toLowerCase() === 'authorization')?.[1];
	return [
		request.auth?.password,
		typeof authorization === 'string' ? authorization.replace(/^\S+\s+/, '') : undefined,
		...secretValuesByName(typeof request.body === 'object' ? (request.body as IDataObject) : undefined),
	].filter((value): value is string => typeof value === 'string' && value !== '');
}

async function sendTokenRequest(
	helper: IHttpRequestHelper,
	provider: ApiProvider,
	request: IHttpRequestOptions,
	successStatus: number,
	secrets: string[],
): Promise<IDataObject> {
	const who = `The credential could not get an access token: ${provider.displayName}`;
	const sendHop = async (current: IHttpRequestOptions) => {
		const outcome = await outcomeOf<IN8nHttpFullResponse>(
			helper.helpers
				.httpRequest(
					tokenRequest({
						json: true,
						...current,
						returnFullResponse: true,
						ignoreHttpStatusErrors: true,
						disableFollowRedirect: true,
						sendCredentialsOnCrossOriginRedirect: false,
						encoding: 'stream',
					}),
				)
				.then(async (answer: IN8nHttpFullResponse) => ({ ...answer, body: await readAnswer(answer.body, who, DEFAULT_TIMEOUT_MS) })),
		);
		if ('value' in outcome) return outcome.value;
		if (outcome.error instanceof UserError) throw outcome.error;
		if (isTimeout(outcome.error)) {
			const waited = timeoutOf(outcome.error);
			throw failedForAPassingReason(
				new UserError(
					`The credential could not get an access token: ${provider.displayName} did not answer within ${inSeconds(waited)}`,
					`${request.method ?? 'GET'} ${request.url} timed out after ${inSeconds(waited)} (the node's Settings > Request Options > Timeout; ${inSeconds(DEFAULT_TIMEOUT_MS)} unless set). Check the base URL in the credential, or allow more time.`,
				),
			);
		}
		throw failedForAPassingReason(
			new UserError(
				`The credential could not reach ${provider.displayName} to get an access token`,
				`${request.method ?? 'GET'} ${request.url} failed: ${(outcome.error as Error).message}. Check the base URL in the credential.`,
			),
		);
	};
	const response = await followingSameOrigin(who, request, sendHop, (answer) => ({ status: answer.statusCode, headers: answer.headers }));
	if (response.statusCode >= 400) {
		// Cleaned before the message is shortened, so no cut-off secret is left behind.
		const { message, description } = describeHttpFailure(provider, {
			status: response.statusCode,
			statusText: response.statusMessage,
			body: redactDeep(response.body, secrets),
			headers: response.headers,
		});
		const error = new UserError(`The credential could not get an access token. ${message}`, `${description} Check the values in the credential.`);
		throw response.statusCode >= 500 ? failedForAPassingReason(error) : error;
	}
	const wrong = undocumentedAnswer(
		provider,
		{ status: successStatus, body: 'json object' },
		{ status: response.statusCode, headers: response.headers, body: response.body },
		secrets,
	);
	if (wrong) {
		throw new UserError(`The credential could not get an access token. ${wrong.message}`, wrong.description);
	}
	return response.body as IDataObject;
}

/** Its absence means the endpoint is not what the credential expects. */
export function tokenField(body: IDataObject, field: string, provider: ApiProvider): string {
	const value = body[field];
	if (typeof value === 'string' && value !== '') return value;
	throw new UserError(
		`The credential could not get an access token: ${provider.displayName} answered without "${field}"`,
		`The response had no "${field}" field. Check the base URL or token URL in the credential.`,
	);
}
