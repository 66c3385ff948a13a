import {
	NodeOperationError,
	type ICredentialDataDecryptedObject,
	type IExecutePaginationFunctions,
	type INodeProperties,
	type INodePropertyOptions,
	type ICredentialsDecrypted,
	type IExecuteData,
	type IExecuteSingleFunctions,
} from 'n8n-workflow';

import { sendWithCredential, storedCredential } from './n8nInternals';
import { oncePerNodeRun } from './nodeRun';
import type { ApiProvider } from './provider';
import { descriptionOf, isExpression, nothingIn } from './parameters';
import { SESSION_TOKEN } from './storedToken';
import { keepTokenInProcess } from './tokenSessions';

/**
 * The credential type n8n's routing engine uses for this node, picked as it picks it: the
 * node's only credential, or the one whose displayOptions name the Authentication value.
 */
function credentialTypeInUse(context: IExecuteSingleFunctions): string | undefined {
	const credentials = descriptionOf(context)?.credentials ?? [];
	if (credentials.length <= 1) return credentials[0]?.name;
	const authentication = context.getNodeParameter('authentication', null);
	return credentials.find((credential) => credential.displayOptions?.show?.authentication?.includes(authentication as string))?.name;
}

export interface NodeRunCredential {
	type: string;
	/** As n8n's request helpers take it: the node's reference to the credential, and its data. */
	decrypted: ICredentialsDecrypted;
	/**
	 * Whether every item may send with this one read: not when a field of the credential is set
	 * by an expression, which n8n resolves for each item ($json, in n8n's "dynamic credentials").
	 */
	sharedByItems: boolean;
	/** Whether the credential manages a token (it has the hidden session token field). */
	managesToken: boolean;
	/** The fields stored as expressions, which n8n resolves for each item. */
	expressionFields: string[];
}

/** Whether a value holds an expression at any depth. */
function holdsExpression(value: unknown): boolean {
	if (typeof value === 'string') return isExpression(value);
	return typeof value === 'object' && value !== null && Object.values(value).some(holdsExpression);
}

const credentialsOfRuns = new WeakMap<IExecuteData, Promise<NodeRunCredential | undefined>>();

/**
 * The credential the node runs with, read once per node run; undefined when it runs without
 * one. n8n reads and decrypts a credential from its database for every request it
 * authenticates (3 to 4 ms per item in a real n8n); the nodes hand it this one instead (see
 * sendWithNodeRunCredential), unless a field of it is an expression n8n resolves per item.
 * Token credentials stay current: the token n8n renews after a 401 is written into the item's
 * copy, and a token another process stored is taken up by accessTokenToSend (tokenSessions.ts) on
 * the node's next run.
 */
export async function nodeRunCredential(context: IExecuteSingleFunctions): Promise<NodeRunCredential | undefined> {
	return await oncePerNodeRun(credentialsOfRuns, context, async () => {
		const type = credentialTypeInUse(context);
		const reference = type ? context.getNode().credentials?.[type] : undefined;
		if (!type || !reference) return undefined;
		// A credential the operation does not show (one left over from another resource) is not
		// used, as n8n's routing engine does: n8n refuses to read it ("Credentials not found").
		const required = descriptionOf(context)?.credentials?.find((credential) => credential.name === type)?.required === true;
		const data = await context.getCredentials(type).catch((error: unknown) => {
			if (required) throw error;
			return undefined;
		});
		if (!data) return undefined;
		// Where the stored form cannot be read, every item reads its own, as n8n does.
		const stored = await storedCredential(context, reference, type);
		const expressionFields = Object.keys(stored ?? {}).filter((name) => holdsExpression(stored![name]));
		const managesToken = context.getCredentialsProperties(type).some((property) => property.name === SESSION_TOKEN);
		const decrypted = { id: reference.id ?? '', name: reference.name, type, data };
		return { type, decrypted, sharedByItems: stored !== undefined && expressionFields.length === 0, managesToken, expressionFields };
	});
}

/**
 * The data of a credential of type `type` as the item sends with it: the node run's where the
 * items share it, and otherwise the item's own read (n8n resolves the credential per item, or
 * it is not the credential the node runs with).
 */
export async function itemCredentialData(context: IExecuteSingleFunctions, type: string): Promise<ICredentialDataDecryptedObject> {
	const credential = await nodeRunCredential(context);
	if (credential?.type === type && credential.sharedByItems && credential.decrypted.data) return credential.decrypted.data;
	return await context.getCredentials(type);
}

/**
 * Refuses the item when a credential field set by an expression resolves to nothing for it, as
 * a node field is refused: the credential would act without it (C2M Scopes left out asks for
 * every scope the long-term token has).
 */
export function assertCredentialFieldsResolved(
	context: IExecuteSingleFunctions,
	providerName: string,
	credential: NodeRunCredential,
	data: ICredentialDataDecryptedObject,
): void {
	for (const name of credential.expressionFields) {
		const nothing = nothingIn(data[name]);
		if (nothing === undefined) continue;
		const label = context.getCredentialsProperties(credential.type).find((property) => property.name === name)?.displayName ?? name;
		throw new NodeOperationError(
			context.getNode(),
			`${label} in the credential "${credential.decrypted.name}" is set but resolved to nothing (${nothing}) for item ${context.getItemIndex()}`,
			{
				itemIndex: context.getItemIndex(),
				description: `The credential field is an expression, and for this item its value is ${nothing}: the credential would act without it. Give the item a value, or change the credential. Nothing was sent to ${providerName}.`,
			},
		);
	}
}

/**
 * The base URL in the item's credential data (itemCredentialData: where n8n resolves the
 * credential per item, the item's own, so its secret goes to no other item's address), trimmed
 * and without trailing slashes.
 */
export function credentialBaseUrl(data: ICredentialDataDecryptedObject): string {
	return String(data.baseUrl ?? '')
		.trim()
		.replace(/\/+$/, '');
}

/**
 * Makes the item's authenticated requests use a copy of the node run's credential (see
 * n8nInternals.ts, use 2): what n8n writes into it after renewing a token, and what
 * tokenSessions.ts notes of the token it sent, stay with the item. Returns the item's copy of the data.
 */
export function sendWithNodeRunCredential(
	context: IExecuteSingleFunctions,
	credential: NodeRunCredential,
): ICredentialDataDecryptedObject {
	const itemCredential: ICredentialsDecrypted = { ...credential.decrypted, data: { ...credential.decrypted.data } };
	sendWithCredential(context, itemCredential);
	return itemCredential.data!;
}

/**
 * Makes the item send with its own read of a credential that holds expressions (one n8n resolved
 * for this item), keeping the tokens it fetches in this process (keepTokenInProcess): n8n 1.x
 * would otherwise write the resolved values over the user's expressions when it stores a token.
 */
export function sendWithItemOwnCredential(
	context: IExecuteSingleFunctions,
	credential: NodeRunCredential,
	data: ICredentialDataDecryptedObject,
): void {
	keepTokenInProcess(data);
	sendWithCredential(context, { ...credential.decrypted, data });
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
 * Refuses the item, before anything is sent, when the operation needs a credential the node does
 * not require and none is selected, or the selected kind is not one the operation takes.
 */
export function assertCredentialFits(
	context: IExecutePaginationFunctions,
	provider: ApiProvider,
	{ requiredCredential, authentication }: { requiredCredential?: { name: string; displayName: string }; authentication?: INodeProperties },
): void {
	if (requiredCredential && !context.getNode().credentials?.[requiredCredential.name]) {
		throw new NodeOperationError(context.getNode(), `Select a ${requiredCredential.displayName} credential`, {
			itemIndex: context.getItemIndex(),
			description: `This operation calls ${provider.displayName} with a ${requiredCredential.displayName} credential, and none is selected. Nothing was sent.`,
		});
	}
	if (authentication) assertAuthenticationFits(context, provider, authentication);
}
