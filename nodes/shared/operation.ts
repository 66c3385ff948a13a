import {
	NodeApiError,
	NodeOperationError,
	type DeclarativeRestApiSettings,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IExecutePaginationFunctions,
	type IExecuteSingleFunctions,
	type IHttpRequestMethods,
	type IN8nHttpFullResponse,
	type INode,
	type INodeExecutionData,
	type INodeProperties,
	type INodePropertyOptions,
	type INodePropertyRouting,
	type INodeRequestOutput,
	type JsonObject,
} from 'n8n-workflow';

import {
	assertJsonObjectItems,
	describeHttpFailure,
	findHttpFailure,
	HttpStatusError,
	isDocumentedAnswer,
	UnexpectedAnswerError,
	undocumentedAnswer,
	type DocumentedSuccess,
} from './httpErrors';
import { withinConcurrencyLimit } from './concurrency';
import { credentialBaseUrl, itemCredentialData, nodeRunCredential, sendWithNodeRunCredential } from './nodeCredential';
import { assertParametersUsable, nodeDisplayName } from './parameters';
import type { ApiProvider } from './provider';
import { redactDeep, REDACTED, redactSecrets, secretValuesByName } from './redaction';
import { RedirectRefusedError, requestUrlOf, sameOriginRedirect } from './redirects';
import { DEFAULT_TIMEOUT_MS, inSeconds, isTimeout, MAX_TIMEOUT_MS, withinDeadline } from './timeout';
import { assertNoRefusedToken, governTokenRequests, refusedFreshToken } from './tokenRequests';
import { managedTokens, SESSION_TOKEN, TokenRequestError } from './tokens';
import { ALLOW_UNENCRYPTED_HTTP, assertSafeProxy, assertSendable, UnsafeUrlError } from './urls';
import { assertValidInput, type InputRules } from './validation';

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

let keepsHttpErrors: boolean | undefined;

/**
 * Whether the NodeApiError that n8n's authenticated requests fail with keeps the HTTP error
 * it wraps (its `cause`: status, headers, body). n8n 1.x's does not: n8n-workflow 1.x's
 * ExecutionBaseError declares `cause` as a class field, which resets the cause the native
 * Error had set, so only n8n's generic message for the status is left ("Bad request - please
 * check your parameters"). Asked of the n8n-workflow that runs the node, once.
 */
function n8nKeepsHttpErrors(node: INode): boolean {
	keepsHttpErrors ??= new NodeApiError(node, new Error('probe') as unknown as JsonObject).cause !== undefined;
	return keepsHttpErrors;
}

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
interface DoorRules {
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
function theDoor(
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
			const relative = !/^[a-z][a-z\d+.-]*:\/\//i.test(current.options.url ?? '');
			assertSendable(requestUrlOf(current.options), relative ? 'Base URL' : 'The request URL', rules.allowHttp);
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
				whenAborted(deadline).then(async () => await Promise.race([sending, whenAborted(AbortSignal.timeout(SETTLE_MS)).then(() => passed)])),
			]);
			if ('items' in outcome) return outcome.items;
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

function textOf(value: unknown): string | undefined {
	return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The values of a credential's secret fields: those its type marks as passwords (the Cloud
 * API key is one), and, for nested token data, those named like secrets.
 */
function credentialSecrets(context: IExecuteSingleFunctions, type: string, data: IDataObject): string[] {
	const passwordFields = context
		.getCredentialsProperties(type)
		.filter((property) => property.typeOptions?.password === true)
		.map((property) => property.name);
	return [
		...passwordFields.map((name) => data[name]).filter((value): value is string => typeof value === 'string'),
		...secretValuesByName(data),
		...managedTokens(data),
	];
}

/** Every secret this item could carry: its secret parameters and its credentials' secrets. */
async function secretsOfItem(
	context: IExecuteSingleFunctions,
	provider: ApiProvider,
): Promise<string[]> {
	const fromParameters = provider.secretParameters
		.map((name) => {
			try {
				return textOf(context.getNodeParameter(name, null));
			} catch {
				return undefined; // hidden for this operation, or an expression that fails: no value to hide
			}
		})
		.filter((value): value is string => value !== undefined);
	const fromCredentials = await Promise.all(
		Object.keys(context.getNode().credentials ?? {}).map(async (type) => {
			try {
				return credentialSecrets(context, type, (await context.getCredentials(type)) as IDataObject);
			} catch {
				return []; // a credential the current operation does not use cannot be read here
			}
		}),
	);
	return [...fromParameters, ...fromCredentials.flat()];
}

/**
 * The node as an error carries it, without the values of its secret parameters: n8n hands an
 * error's node to Error Trigger workflows and stores it with the execution.
 */
function nodeWithoutSecrets(context: IExecutePaginationFunctions, provider: ApiProvider, secrets: string[]): INode {
	const node = context.getNode();
	const parameters = redactDeep(node.parameters, secrets);
	for (const name of provider.secretParameters) {
		if (typeof parameters[name] === 'string' && parameters[name] !== '') parameters[name] = REDACTED;
	}
	return { ...node, parameters };
}

function causeChain(error: unknown): unknown[] {
	const chain: unknown[] = [];
	for (let current = error; current && chain.length < 4; current = (current as Error).cause) {
		chain.push(current);
	}
	return chain;
}

/**
 * Turns whatever failed into the error the user sees: the provider's own message for HTTP
 * failures, the credential's explanation for token failures, and never a secret.
 */
async function toUserError(
	context: IExecutePaginationFunctions,
	provider: ApiProvider,
	error: unknown,
	timeoutMs: number,
): Promise<NodeApiError> {
	const itemIndex = context.getItemIndex();
	const secrets = await secretsOfItem(context, provider);
	const node = nodeWithoutSecrets(context, provider, secrets);
	const clean = (text: string | undefined | null) =>
		text ? redactSecrets(text, secrets) : undefined;
	// n8n's routing engine wraps any other error in a NodeApiError carrying the node with its
	// secrets: so input errors too leave as a NodeApiError that carries the cleaned node.
	if (error instanceof NodeOperationError) {
		const message = clean(error.message) ?? error.message;
		const description = clean(error.description);
		return new NodeApiError(node, { message, description } as JsonObject, { message, description, itemIndex });
	}
	const causes = causeChain(error);
	const unsafeUrl = causes.find((cause) => cause instanceof UnsafeUrlError) as UnsafeUrlError | undefined;
	if (unsafeUrl) {
		const { message, description } = unsafeUrl;
		return new NodeApiError(node, { message, description } as JsonObject, { message, description, itemIndex });
	}

	const failure = findHttpFailure(error);
	// Errors of this package's own making carry their message and description ready to show.
	const tokenError = causes.find(
		(cause) => cause instanceof TokenRequestError || cause instanceof RedirectRefusedError,
	) as TokenRequestError | RedirectRefusedError | undefined;
	let message: string;
	let description: string | undefined;
	let httpCode: string | undefined;
	if (error instanceof UnexpectedAnswerError) {
		({ message, description, httpCode } = error);
	} else if (tokenError) {
		({ message, description } = tokenError);
	} else if (isTimeout(error)) {
		message = `${provider.displayName} did not answer within ${inSeconds(timeoutMs)}`;
		description = `The request timed out after ${inSeconds(timeoutMs)} (the node's Settings > Request Options > Timeout; ${inSeconds(DEFAULT_TIMEOUT_MS)} unless set). The node cannot tell whether ${provider.displayName} acted on the request. Check that the base URL is right and reachable, or allow more time.`;
	} else if (failure) {
		// Cleaned before the message is shortened, so no cut-off secret is left behind.
		({ message, description } = describeHttpFailure(provider, { ...failure, body: redactDeep(failure.body, secrets) }));
		httpCode = String(failure.status);
	} else {
		// Network failures and the like: n8n already words these well ("The service refused
		// the connection"), so keep its message and drop the transport error, which holds the
		// request and its headers.
		message = (error as Error)?.message || `The request to ${provider.displayName} failed`;
		description = (error as NodeApiError)?.description ?? undefined;
	}
	message = clean(message) ?? message;
	description = clean(description);
	return new NodeApiError(node, { message, description } as JsonObject, {
		message,
		description,
		httpCode,
		itemIndex,
	});
}

/** The node's Settings > Request Options > Timeout, or the package default; at most what a timer holds. */
function requestTimeout(context: IExecuteSingleFunctions): number {
	const { timeout } = context.getNodeParameter('requestOptions', {}) as { timeout?: unknown };
	return typeof timeout === 'number' && timeout > 0 ? Math.min(timeout, MAX_TIMEOUT_MS) : DEFAULT_TIMEOUT_MS;
}

/**
 * n8n's editor lists every credential type of a node whose Authentication field picks the
 * credential, whatever the operation, and preselects the newest credential; a credential kind
 * this operation does not take must be refused before it is sent.
 */
function assertAuthenticationFits(
	context: IExecutePaginationFunctions,
	provider: ApiProvider,
	field: INodeProperties,
): void {
	const value = context.getNodeParameter(field.name, null);
	const accepted = (field.options ?? []) as INodePropertyOptions[];
	if (accepted.some((option) => option.value === value)) return;
	const choices = `a ${accepted.map((option) => option.name).join(' or ')}`;
	throw new NodeOperationError(context.getNode(), `This operation needs ${choices} credential`, {
		itemIndex: context.getItemIndex(),
		description: `The selected credential is of the kind "${String(value)}" (${field.displayName}), which ${provider.displayName} does not accept for this operation. Select ${choices} credential. Nothing was sent to ${provider.displayName}.`,
	});
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
 * - pairs every output item, error items under Continue On Fail included, with its input.
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
					// An error status comes back as an answer only where it was asked for (sendKeepingErrorAnswers).
					if (response.statusCode >= 300) throw new HttpStatusError(response);
					const answer = { status: response.statusCode, headers: response.headers, body: response.body };
					if (isDocumentedAnswer(success, answer)) return items;
					// The body is shown cut short: the item's secrets are hidden before it is cut.
					const wrong = undocumentedAnswer(provider, success, answer, await secretsOfItem(this, provider));
					if (wrong) throw new UnexpectedAnswerError(wrong.message, wrong.description, response.statusCode);
					return items;
				},
				...(spec.output?.postReceive ?? []),
			],
		},
		send: { paginate: true },
		operations: {
			async pagination(this: IExecutePaginationFunctions, requestData: RequestData) {
				const pairedItem = { item: this.getItemIndex() };
				const timeoutMs = requestTimeout(this);
				try {
					const credential = spec.requiredCredential;
					if (credential && !this.getNode().credentials?.[credential.name]) {
						throw new NodeOperationError(
							this.getNode(),
							`Select a ${credential.displayName} credential`,
							{
								itemIndex: pairedItem.item,
								description: `This operation calls ${provider.displayName} with a ${credential.displayName} credential, and none is selected. Nothing was sent.`,
							},
						);
					}
					if (spec.authentication) {
						assertAuthenticationFits(this, provider, spec.authentication);
					}
					assertParametersUsable(this, provider.displayName);
					if (spec.input) {
						const rules = typeof spec.input === 'function' ? spec.input(this) : spec.input;
						assertValidInput(this, provider, rules);
					}
					await spec.check?.(this);
					if (spec.path) requestData.options.url = filledPath(this, spec.path);
					const runCredential = await nodeRunCredential(this);
					const itemCredential = runCredential?.sharedByItems ? sendWithNodeRunCredential(this, runCredential) : undefined;
					requestData.options.baseURL ??= await credentialBaseUrl(this);
					governTokenRequests(this, timeoutMs);
					const allowHttp = runCredential ? (await itemCredentialData(this, runCredential.type))[ALLOW_UNENCRYPTED_HTTP] === true : undefined;
					const managesToken = runCredential !== undefined && this.getCredentialsProperties(runCredential.type).some((property) => property.name === SESSION_TOKEN);
					const sender = Object.create(this, {
						makeRoutingRequest: { value: theDoor(this, provider, itemCredential, { timeoutMs, allowHttp, managesToken }) },
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
