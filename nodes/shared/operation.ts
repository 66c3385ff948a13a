import {
	NodeOperationError,
	type DeclarativeRestApiSettings,
	type IExecutePaginationFunctions,
	type IExecuteSingleFunctions,
	type IN8nHttpFullResponse,
	type INodeExecutionData,
	type INodeProperties,
	type INodePropertyRouting,
	type INodeRequestOutput,
} from 'n8n-workflow';

import { withinConcurrencyLimit } from './concurrency';
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
import { assertParametersUsable, nodeDisplayName } from './parameters';
import type { ApiProvider } from './provider';
import { DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS } from './timeout';
import { withExpiresAt } from './tokenExpiry';
import { governTokenRequests } from './tokenRequests';
import { ALLOW_UNENCRYPTED_HTTP } from './urls';
import { assertValidInput, type InputRules } from './validation';
import { UserError } from './userError';

type RequestData = DeclarativeRestApiSettings.ResultOptions;

/** Sends an item's request: once, or page after page for list operations. */
export type ItemFetcher = (
	this: IExecutePaginationFunctions,
	requestData: RequestData,
) => Promise<INodeExecutionData[]>;

export interface OperationSpec {
	/** Method, URL and fixed parts of the request, as in n8n's declarative routing. */
	request: DeclarativeRestApiSettings.HttpRequestOptions;
	/**
	 * The request's path where it holds node parameters, in place of `request.url`: `{name}`
	 * is the parameter `name`, URL-encoded as one path segment (see filledPath).
	 */
	path?: string;
	/**
	 * Rules each item's parameters must pass before anything is sent; a function when the
	 * rules depend on another parameter (a grant type, for example).
	 */
	input?: InputRules | ((context: IExecuteSingleFunctions) => InputRules);
	/**
	 * Checks that need more than the item's parameters (the credential's fields), run after the
	 * input rules and before anything is sent; they throw a NodeOperationError naming the field.
	 */
	check?: (context: IExecuteSingleFunctions) => Promise<void>;
	/** Shapes the response into output items, as in n8n's declarative routing. */
	output?: INodeRequestOutput;
	/**
	 * For an operation that issues a token: the answer's field holding its lifetime in seconds.
	 * Each item then gets `expires_at`, an ISO 8601 instant (see withExpiresAt).
	 */
	tokenLifetime?: string;
	/** The documented success; HTTP 200 with a JSON object unless said otherwise. */
	success?: DocumentedSuccess;
	/** How to send the request; once unless the operation pages through results. */
	fetch?: ItemFetcher;
	/** Credential type the operation cannot work without, where the node does not require one. */
	requiredCredential?: { name: string; displayName: string };
	/**
	 * The Authentication field this operation shows, where the node has one per operation
	 * listing the credentials that operation accepts.
	 */
	authentication?: INodeProperties;
}

/**
 * The path of a request whose template names node parameters (`/auth/tokens/{id}/revoke`),
 * each filled in as one path segment, always URL-encoded so that `/`, `?`, `#` or `%` in a
 * value cannot change the path. The rules in validation.ts reject `.` and `..`. Filled in code
 * for each item: as an expression in the routing, n8n would evaluate it per item, at about
 * 1 ms each (see docs/performance.md).
 */
function filledPath(context: IExecuteSingleFunctions, template: string): string {
	return template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(context.getNodeParameter(name, '') ?? '')));
}

const sendOnce: ItemFetcher = async function (requestData) {
	return await this.makeRoutingRequest(requestData);
};

/** The node's Settings > Request Options > Timeout, or the package default; at most what a timer holds. */
function requestTimeout(context: IExecuteSingleFunctions): number {
	const { timeout } = context.getNodeParameter('requestOptions', {}) as { timeout?: unknown };
	return typeof timeout === 'number' && timeout > 0 ? Math.min(timeout, MAX_TIMEOUT_MS) : DEFAULT_TIMEOUT_MS;
}

/**
 * Routing for one operation. n8n's declarative engine lets code wrap a request only through
 * its pagination hook, so every operation goes through it, with `paginate` always on. The
 * hook runs the whole life of one item's request:
 * - checks the item's parameters (fields set to expressions that resolve to nothing, choices
 *   outside their options, the operation's own rules), and throws before anything is sent;
 * - sends the request within the node's Timeout (or the package default), which the
 *   credential's token requests share; n8n renews expired credential tokens on a 401 and
 *   resends;
 * - accepts only the documented success status and kind of body, and items that are JSON
 *   objects;
 * - turns any failure into an error with the provider's message and no secret in it;
 * - pairs every output item, error items under On Error > Continue included, with its input.
 */
export function operationRouting(provider: ApiProvider, spec: OperationSpec): INodePropertyRouting {
	const fetch = spec.fetch ?? sendOnce;
	const success = spec.success ?? { status: 200, body: 'json object' };
	return {
		request: spec.request,
		output: {
			...spec.output,
			// First of all, so that nothing builds an item from an answer that is not the documented one.
			postReceive: [
				async function (this: IExecuteSingleFunctions, items: INodeExecutionData[], response: IN8nHttpFullResponse) {
					// An error status comes back as an answer only where it was asked for (sendKeepingErrorAnswers, door.ts).
					if (response.statusCode >= 300) throw new HttpStatusError(response);
					const answer = { status: response.statusCode, headers: response.headers, body: response.body };
					if (isDocumentedAnswer(success, answer)) return items;
					// The body is shown cut short: the item's secrets are hidden before it is cut.
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
						allowHttp: credentialData ? credentialData[ALLOW_UNENCRYPTED_HTTP] === true : undefined,
						managesToken: runCredential?.managesToken === true,
					};
					const sender = Object.create(this, {
						makeRoutingRequest: { value: theDoor(this, provider, itemCredential, rules) },
					}) as IExecutePaginationFunctions;
					const items = await withinConcurrencyLimit(this, async () => await fetch.call(sender, requestData));
					await assertJsonObjectItems(provider, items, async () => await secretsOfItem(this, provider));
					return items.map((item) => ({ ...item, pairedItem }));
				} catch (error) {
					const userError = await toUserError(this, provider, error, timeoutMs);
					if (!this.continueOnFail()) throw userError;
					return [
						// n8n shows the error details from `error`, and itself keeps only the message in `json`.
						{ json: { error: userError.message }, error: userError, pairedItem },
					];
				}
			},
		},
	};
}

/**
 * Routing for the Resource field. It applies when no operation's routing does: an unknown
 * resource or operation (an imported or hand-edited workflow, or the editor's Custom API
 * Call), for which n8n would otherwise send an authenticated GET to the base URL. Each
 * operation's own routing replaces it. It refuses the item, naming the field, and sends
 * nothing. The refusal leaves like every other error of an operation (see toUserError): the
 * node it carries has no secret parameter, which such a workflow may still hold.
 */
export function refuseUnknownOperation(provider: ApiProvider): INodePropertyRouting {
	return {
		send: { paginate: true },
		operations: {
			async pagination(this: IExecutePaginationFunctions) {
				const pairedItem = { item: this.getItemIndex() };
				const nodeName = nodeDisplayName(this);
				let refusal = new NodeOperationError(this.getNode(), 'This resource and operation cannot run', {
					itemIndex: pairedItem.item,
					description: `The node has no operation for them. Choose a resource and an operation in the panel. Nothing was sent to ${nodeName}.`,
				});
				try {
					// Names the field (Resource or Operation) and its value, where it can.
					assertParametersUsable(this, nodeName);
				} catch (error) {
					refusal = error as NodeOperationError;
				}
				const userError = await toUserError(this, provider, refusal, DEFAULT_TIMEOUT_MS);
				if (!this.continueOnFail()) throw userError;
				return [{ json: { error: userError.message }, error: userError, pairedItem }];
			},
		},
	};
}
