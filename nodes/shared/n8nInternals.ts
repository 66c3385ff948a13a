/*
 * Every use of n8n behaviour outside its public node API, in one place. Each says why, what it
 * buys, and what the package does where this n8n lacks it: it falls back to n8n's public path and
 * logs one warning, which the real-n8n suites (test/e2e, on both lines) fail on. Checked on n8n
 * 2.41.1 and 1.123.81; test/e2e/n8n-internals.test.ts pins each use on both.
 */
import {
	NodeApiError,
	type ICredentialDataDecryptedObject,
	type ICredentialsDecrypted,
	type IExecuteSingleFunctions,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type IWorkflowExecuteAdditionalData,
	type JsonObject,
} from 'n8n-workflow';

const CHECKED_ON = 'n8n 2.41.1 and 1.123.81';

const warned = new Set<string>();

/** Logs once per process that a use fell back to n8n's public path. */
function fellBack(context: IExecuteSingleFunctions, use: string, fallback: string): void {
	if (warned.has(use)) return;
	warned.add(use);
	context.logger.warn(`n8n-nodes-token-lifecycle: ${use} is not available in this n8n (checked on ${CHECKED_ON}); ${fallback}`);
}

/**
 * Use 1: the credential as stored, before n8n resolves its expressions, from n8n's credentials
 * helper (the execution's additionalData). It tells whether the node run may read the credential
 * once for all items (use 2). Fallback: undefined, and every item reads its own, as n8n does.
 */
export async function storedCredential(
	context: IExecuteSingleFunctions,
	reference: INodeCredentialsDetails,
	type: string,
): Promise<ICredentialDataDecryptedObject | undefined> {
	const { additionalData } = context as unknown as { additionalData?: IWorkflowExecuteAdditionalData };
	const helper = additionalData?.credentialsHelper;
	const stored =
		typeof helper?.getDecrypted === 'function'
			? await helper.getDecrypted(additionalData!, reference, type, context.getMode(), undefined, true).catch(() => undefined)
			: undefined;
	if (typeof stored !== 'object' || stored === null) {
		fellBack(context, 'reading a stored credential (credentialsHelper.getDecrypted)', 'each item reads its credential (slower)');
		return undefined;
	}
	return stored;
}

const sentWithRunCredential = new WeakSet<IExecuteSingleFunctions>();

/**
 * Use 2: the item's authenticated requests take the node run's copy of the credential
 * (`credentialsDecrypted`, which n8n's request helper otherwise takes only from a credential
 * test) instead of n8n reading and decrypting it from its database for each one (3 to 4 ms per
 * item in a real n8n, docs/performance.md). n8n's routing engine sends through the item's own
 * helpers, so the change stays with the item. Fallback: see assertSentWithRunCredential.
 */
export function sendWithCredential(context: IExecuteSingleFunctions, credential: ICredentialsDecrypted): void {
	const { helpers } = context;
	const send = helpers.httpRequestWithAuthentication;
	helpers.httpRequestWithAuthentication = async function (this: IExecuteSingleFunctions, type, requestOptions, options) {
		if (type !== credential.type) return await send.call(this, type, requestOptions, options);
		sentWithRunCredential.add(context);
		// A credential test passes credentialsDecrypted itself.
		return await send.call(this, type, requestOptions, { ...options, credentialsDecrypted: options?.credentialsDecrypted ?? credential });
	};
}

/** After a request was sent: warns when n8n sent it without passing the item's helper (use 2), reading the credential itself. */
export function checkSentWithRunCredential(context: IExecuteSingleFunctions): void {
	if (!sentWithRunCredential.has(context)) {
		fellBack(context, 'sending through the item’s httpRequestWithAuthentication', 'n8n reads the credential for each request (slower)');
	}
}

/**
 * Use 3: a credential's token requests, seen from the node. n8n hands a credential's
 * preAuthentication nothing of the node but a wrapper around the item's `helpers.httpRequest`
 * (2.41 copies the request options there, marks included), so wrapping the item's httpRequest is
 * how a node run bounds them by its Timeout and remembers refusals (tokenRequests.ts). Fallback:
 * with no such helper, token requests keep n8n's own timeout and every item may ask again.
 */
export function wrapHttpRequest(
	context: IExecuteSingleFunctions,
	wrap: (send: (request: IHttpRequestOptions) => Promise<unknown>) => (request: IHttpRequestOptions) => Promise<unknown>,
): void {
	const { helpers } = context;
	if (typeof helpers.httpRequest !== 'function') {
		fellBack(context, 'the item’s helpers.httpRequest', 'token requests are not bounded by the node’s Timeout nor remembered');
		return;
	}
	helpers.httpRequest = wrap(helpers.httpRequest.bind(helpers)) as typeof helpers.httpRequest;
}

/**
 * Use 4: thrown by a credential's authenticate instead of sending a request with no usable
 * token. n8n takes any error with `response.status` 401 for the API's 401: it calls the
 * credential's preAuthentication, which fetches a token, and sends again. So nothing goes out
 * with a token known to be dead, and no API call is spent learning it. Were n8n to stop doing so,
 * the request fails with this message instead of being sent with a dead token.
 */
export class TokenRenewalNeeded extends Error {
	readonly response = { status: 401 };

	constructor() {
		super('The access token has expired or was never fetched; the credential fetches a new one');
		this.name = 'TokenRenewalNeeded';
	}
}

let keepsHttpErrors: boolean | undefined;

/**
 * Use 5: whether the NodeApiError n8n's authenticated requests fail with keeps the HTTP error it
 * wraps (its `cause`: status, headers, body). n8n-workflow 1.x declares `cause` as a class field,
 * which resets it, so only n8n's generic message for the status is left. Asked once of the
 * n8n-workflow that runs the node; where it drops it, door.ts asks for error answers instead.
 */
export function n8nKeepsHttpErrors(node: INode): boolean {
	keepsHttpErrors ??= new NodeApiError(node, new Error('probe') as unknown as JsonObject).cause !== undefined;
	return keepsHttpErrors;
}
