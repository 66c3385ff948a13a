import type {
	DeclarativeRestApiSettings,
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	IN8nHttpFullResponse,
	INodeExecutionData,
	INodeProperties,
	INodePropertyRouting,
	INodeRequestOutput,
	NodeOperationError,
} from 'n8n-workflow';

import { readAnswer } from './answer';
import { withinConcurrencyLimit } from './concurrency';
import { allowsUnencryptedHttp } from './credentialAuth';
import { theDoor } from './door';
import { secretsOfItem, toUserError } from './errorExit';
import {
	assertJsonObjectItems,
	HttpStatusError,
	isDocumentedAnswer,
	undocumentedAnswer,
	type DocumentedSuccess,
} from './httpErrors';
import {
	assertCredentialFieldsResolved,
	assertCredentialFits,
	credentialBaseUrl,
	itemCredentialData,
	nodeRunCredential,
	sendWithItemOwnCredential,
	sendWithNodeRunCredential,
} from './nodeCredential';
import { assertParametersUsable, nodeDisplayName, nothingSent } from './parameters';
import type { ApiProvider } from './provider';
import { DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS } from './timeout';
import { withExpiresAt } from './tokenExpiry';
import { governTokenRequests } from './tokenRequests';
import { assertValidInput, type InputRules } from './validation';
import { UserError } from './userError';

type RequestData = DeclarativeRestApiSettings.ResultOptions;

export type ItemFetcher = (
	this: IExecutePaginationFunctions,
	requestData: RequestData,
) => Promise<INodeExecutionData[]>;

export interface OperationSpec {
	request: DeclarativeRestApiSettings.HttpRequestOptions;
	/** Replaces `request.url` where the path holds parameters: `{name}` is parameter `name`, one encoded segment. */
	path?: string;
	/** A function where the rules depend on another parameter (a grant type, for example). */
	input?: InputRules | ((context: IExecuteSingleFunctions) => InputRules);
	/** Checks beyond the item's parameters (the credential's fields), run before anything is sent. */
	check?: (context: IExecuteSingleFunctions) => Promise<void>;
	output?: INodeRequestOutput;
	/** The answer's field holding an issued token's lifetime in seconds; items then get `expires_at`. */
	tokenLifetime?: string;
	/** HTTP 200 with a JSON object unless said otherwise. */
	success?: DocumentedSuccess;
	fetch?: ItemFetcher;
	/** Where the node does not require a credential but this operation does. */
	requiredCredential?: { name: string; displayName: string };
	/** Where the node has an Authentication field per operation, listing the credentials it accepts. */
	authentication?: INodeProperties;
}

/** Encoded so a value cannot change the path (validation.ts rejects `.` and `..`); an expression would cost per item. */
function filledPath(context: IExecuteSingleFunctions, template: string): string {
	return template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(context.getNodeParameter(name, '') ?? '')));
}

const sendOnce: ItemFetcher = async function (requestData) {
	return await this.makeRoutingRequest(requestData);
};

function requestTimeout(context: IExecuteSingleFunctions): number {
	const { timeout } = context.getNodeParameter('requestOptions', {}) as { timeout?: unknown };
	return typeof timeout === 'number' && timeout > 0 ? Math.min(timeout, MAX_TIMEOUT_MS) : DEFAULT_TIMEOUT_MS;
}

/** An item's error leaves through toUserError: thrown, or with On Error (Continue) as the item. */
async function failedItem(
	context: IExecutePaginationFunctions,
	provider: ApiProvider,
	error: unknown,
	timeoutMs: number,
): Promise<INodeExecutionData[]> {
	const userError = await toUserError(context, provider, error, timeoutMs);
	if (!context.continueOnFail()) throw userError;
	// n8n shows the error details from `error`, and itself keeps only the message in `json`.
	return [{ json: { error: userError.message }, error: userError, pairedItem: { item: context.getItemIndex() } }];
}

/** n8n lets code wrap a request only in the pagination hook, so it is always on and runs an item's whole path. */
export function operationRouting(provider: ApiProvider, spec: OperationSpec): INodePropertyRouting {
	const fetch = spec.fetch ?? sendOnce;
	const success = spec.success ?? { status: 200, body: 'json object' };
	return {
		request: spec.request,
		output: {
			...spec.output,
			// First of all, so that nothing builds an item from an answer that is not the documented one.
			postReceive: [
				async function (this: IExecuteSingleFunctions, _: INodeExecutionData[], response: IN8nHttpFullResponse) {
					// The door asked for a stream; n8n's own item holds it, so the item is built again.
					const read = readAnswer(response.body, provider.displayName, requestTimeout(this));
					// The door asks for error statuses as answers; past the cap, the status still counts.
					if (response.statusCode >= 300) throw new HttpStatusError({ ...response, body: await read.catch(() => undefined) });
					response.body = await read;
					const items = [{ json: response.body as IDataObject }];
					const answer = { status: response.statusCode, headers: response.headers, body: response.body };
					if (isDocumentedAnswer(success, answer)) return items;
					const wrong = undocumentedAnswer(provider, success, answer, await secretsOfItem(this, provider));
					if (wrong) throw new UserError(wrong.message, wrong.description, String(response.statusCode));
					return items;
				},
				...(spec.output?.postReceive ?? []),
				...(spec.tokenLifetime ? [withExpiresAt(spec.tokenLifetime)] : []),
			],
		},
		send: { paginate: true },
		operations: {
			async pagination(this: IExecutePaginationFunctions, requestData: RequestData) {
				const pairedItem = { item: this.getItemIndex() };
				const timeoutMs = requestTimeout(this);
				try {
					assertCredentialFits(this, provider, spec);
					assertParametersUsable(this, provider.displayName);
					if (spec.input) {
						const rules = typeof spec.input === 'function' ? spec.input(this) : spec.input;
						assertValidInput(this, provider, rules);
					}
					await spec.check?.(this);
					if (spec.path) requestData.options.url = filledPath(this, spec.path);
					const runCredential = await nodeRunCredential(this);
					const itemCredential = runCredential?.sharedByItems ? sendWithNodeRunCredential(this, runCredential) : undefined;
					const credentialData = runCredential && (await itemCredentialData(this, runCredential.type));
					if (credentialData) {
						assertCredentialFieldsResolved(this, provider.displayName, runCredential, credentialData);
						if (runCredential.managesToken && runCredential.expressionFields.length) {
							sendWithItemOwnCredential(this, runCredential, credentialData);
						}
						requestData.options.baseURL ??= credentialBaseUrl(credentialData);
					}
					governTokenRequests(this, timeoutMs);
					const rules = {
						timeoutMs,
						allowHttp: credentialData ? allowsUnencryptedHttp(credentialData) : undefined,
						managesToken: runCredential?.managesToken === true,
						itemCredential,
					};
					const sender = Object.create(this, {
						makeRoutingRequest: { value: theDoor(this, provider, rules) },
					}) as IExecutePaginationFunctions;
					const items = await withinConcurrencyLimit(this, async () => await fetch.call(sender, requestData));
					await assertJsonObjectItems(provider, items, async () => await secretsOfItem(this, provider));
					return items.map((item) => ({ ...item, pairedItem }));
				} catch (error) {
					return await failedItem(this, provider, error, timeoutMs);
				}
			},
		},
	};
}

/** For an unknown resource or operation, n8n would otherwise send an authenticated GET to the base URL. */
export function refuseUnknownOperation(provider: ApiProvider): INodePropertyRouting {
	return {
		send: { paginate: true },
		operations: {
			async pagination(this: IExecutePaginationFunctions) {
				const nodeName = nodeDisplayName(this);
				let refusal = nothingSent(
					this,
					'This resource and operation cannot run',
					'The node has no operation for them. Choose a resource and an operation in the panel.',
					nodeName,
				);
				try {
					assertParametersUsable(this, nodeName);
				} catch (error) {
					refusal = error as NodeOperationError;
				}
				return await failedItem(this, provider, refusal, DEFAULT_TIMEOUT_MS);
			},
		},
	};
}
