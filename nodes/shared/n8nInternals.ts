/*
 * Every use of n8n beyond its public node API: each says why and its fallback (n8n's public path,
 * plus one logged warning). Checked on n8n 2.41.1 and 1.123.81; test/e2e/n8n-internals.test.ts pins each.
 */
import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	INodeCredentialsDetails,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

const CHECKED_ON = 'n8n 2.41.1 and 1.123.81';

const warned = new Set<string>();

function fellBack(context: IExecuteSingleFunctions, use: string, fallback: string): void {
	if (warned.has(use)) return;
	warned.add(use);
	context.logger.warn(`n8n-nodes-token-lifecycle: ${use} is not available in this n8n (checked on ${CHECKED_ON}); ${fallback}`);
}

/**
 * Use 1: the credential as stored, expressions unresolved (additionalData.credentialsHelper), to tell
 * whether one read may serve all items (use 2). Fallback: undefined; every item reads its own.
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
 * Use 2: the item's authenticated requests pass the node run's credential as `credentialsDecrypted`
 * (meant for credential tests), so n8n does not read and decrypt it per request. The routing engine
 * sends through the item's own helpers, so this stays with the item. Fallback: checkSentWithRunCredential.
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

/** Use 2's check: warns when n8n sent without the item's helper, so it read the credential itself. */
export function checkSentWithRunCredential(context: IExecuteSingleFunctions): void {
	if (!sentWithRunCredential.has(context)) {
		fellBack(context, 'sending through the item’s httpRequestWithAuthentication', 'n8n reads the credential for each request (slower)');
	}
}

/**
 * Use 3: preAuthentication gets only a wrapper around the item's `helpers.httpRequest` (2.41 copies
 * the options, marks included), so wrapping it lets a node run govern token requests (tokenRequests.ts).
 * Fallback: they keep n8n's own timeout, and every item may ask again.
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
 * Use 4: thrown by authenticate when it has no usable token. n8n takes any error with
 * `response.status` 401 for the API's 401, so it runs preAuthentication and resends: no request
 * goes out with a dead token. Fallback: were n8n to stop, the request fails with this message.
 */
export class TokenRenewalNeeded extends Error {
	readonly response = { status: 401 };

	constructor() {
		super('The access token has expired or was never fetched; the credential fetches a new one');
		this.name = 'TokenRenewalNeeded';
	}
}
