import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecutePaginationFunctions,
	type IExecuteSingleFunctions,
	type INode,
	type JsonObject,
} from 'n8n-workflow';

import { describeHttpFailure, findHttpFailure } from './httpErrors';
import { nodeRunCredential } from './nodeCredential';
import type { ApiProvider } from './provider';
import { redactDeep, REDACTED, redactSecrets, secretValuesByName } from './redaction';
import { DEFAULT_TIMEOUT_MS, inSeconds, isTimeout } from './timeout';
import { managedTokens } from './tokenSessions';
import { causeChain, UserError } from './userError';

/** Password fields by type; nested token data has no definitions, so its secrets go by name. */
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

export async function secretsOfItem(
	context: IExecuteSingleFunctions,
	provider: ApiProvider,
): Promise<string[]> {
	const fromParameters = provider.secretParameters
		.map((name) => {
			try {
				const value = context.getNodeParameter(name, null);
				return typeof value === 'string' && value !== '' ? value : undefined;
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

/** n8n hands an error's node to Error Trigger workflows and stores it with the execution. */
function nodeWithoutSecrets(context: IExecutePaginationFunctions, provider: ApiProvider, secrets: string[]): INode {
	const node = context.getNode();
	const parameters = redactDeep(node.parameters, secrets);
	for (const name of provider.secretParameters) {
		if (typeof parameters[name] === 'string' && parameters[name] !== '') parameters[name] = REDACTED;
	}
	return { ...node, parameters };
}

/** Names the credential ("the credential" becomes `the credential "Knetik production"`): a user may have several alike. */
async function withCredentialName(context: IExecutePaginationFunctions, message: string): Promise<string> {
	if (!/\bthe credential\b/i.test(message)) return message;
	const references = context.getNode().credentials ?? {};
	const type = Object.keys(references).length === 1 ? Object.keys(references)[0] : (await nodeRunCredential(context).catch(() => undefined))?.type;
	const name = type ? references[type]?.name : undefined;
	return name ? message.replace(/\b(the credential)\b/i, `$1 "${name}"`) : message;
}

function usesProxy(context: IExecuteSingleFunctions): boolean {
	const { proxy } = context.getNodeParameter('requestOptions', {}) as { proxy?: unknown };
	return typeof proxy === 'string' && proxy.trim() !== '';
}

/** The way back: every error leaving an operation is worded here, with every secret the item knows removed. */
export async function toUserError(
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
	// n8n would wrap any other error in a NodeApiError carrying the node with its secrets.
	if (error instanceof NodeOperationError) {
		const message = clean(error.message) ?? error.message;
		const description = clean(error.description);
		return new NodeApiError(node, { message, description } as JsonObject, { message, description, itemIndex });
	}
	const failure = findHttpFailure(error);
	const own = causeChain(error, 4).find((cause) => cause instanceof UserError) as UserError | undefined;
	let message: string;
	let description: string | undefined;
	let httpCode: string | undefined;
	if (own) {
		({ message, description, httpCode } = own);
	} else if (isTimeout(error)) {
		message = `${provider.displayName} did not answer within ${inSeconds(timeoutMs)}`;
		description = `The request timed out after ${inSeconds(timeoutMs)} (the node's Settings > Request Options > Timeout; ${inSeconds(DEFAULT_TIMEOUT_MS)} unless set). The node cannot tell whether ${provider.displayName} acted on the request. Check that the base URL is right and reachable, or allow more time.`;
	} else if (failure) {
		// Cleaned before the message is shortened, so no cut-off secret is left behind.
		({ message, description } = describeHttpFailure(provider, { ...failure, body: redactDeep(failure.body, secrets) }));
		httpCode = String(failure.status);
	} else {
		// n8n words network failures well; the transport error itself holds the request's headers.
		message = (error as Error)?.message || `The request to ${provider.displayName} failed`;
		description = (error as NodeApiError)?.description ?? undefined;
	}
	if (!own && usesProxy(context)) {
		// A proxy answers or fails in the API's place (a refused tunnel, for one), and reads like the API.
		description = `${description ? `${description} ` : ''}The request went through the proxy in Settings > Request Options > Proxy, which may have answered or failed in ${provider.displayName}’s place: check it.`;
	}
	// n8n 1.x drops the cause of a credential's error, so its message is recognised by its words.
	if (own || message.startsWith('The credential ')) message = await withCredentialName(context, message);
	message = clean(message) ?? message;
	description = clean(description);
	return new NodeApiError(node, { message, description } as JsonObject, {
		message,
		description,
		httpCode,
		itemIndex,
	});
}
