import {
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
import { descriptionOf, isExpression, nothingIn, nothingSent } from './parameters';
import { SESSION_TOKEN } from './storedToken';
import { keepTokenInProcess } from './tokenSessions';

/** Picked as n8n's routing engine picks it: the only one, or the one the Authentication value shows. */
function credentialTypeInUse(context: IExecuteSingleFunctions): string | undefined {
	const credentials = descriptionOf(context)?.credentials ?? [];
	if (credentials.length <= 1) return credentials[0]?.name;
	const authentication = context.getNodeParameter('authentication', null);
	return credentials.find((credential) => credential.displayOptions?.show?.authentication?.includes(authentication as string))?.name;
}

export interface NodeRunCredential {
	type: string;
	decrypted: ICredentialsDecrypted;
	/** False where a field is an expression, which n8n resolves per item ("dynamic credentials"). */
	sharedByItems: boolean;
	managesToken: boolean;
	expressionFields: string[];
}

function holdsExpression(value: unknown): boolean {
	if (typeof value === 'string') return isExpression(value);
	return typeof value === 'object' && value !== null && Object.values(value).some(holdsExpression);
}

const credentialsOfRuns = new WeakMap<IExecuteData, Promise<NodeRunCredential | undefined>>();

/** Read once per node run, not by n8n per request; tokens stay current via the item's copy and accessTokenToSend. */
export async function nodeRunCredential(context: IExecuteSingleFunctions): Promise<NodeRunCredential | undefined> {
	return await oncePerNodeRun(credentialsOfRuns, context, async () => {
		const type = credentialTypeInUse(context);
		const reference = type ? context.getNode().credentials?.[type] : undefined;
		if (!type || !reference) return undefined;
		// One left over from another resource is not used: n8n refuses to read it ("Credentials not found").
		const required = descriptionOf(context)?.credentials?.find((credential) => credential.name === type)?.required === true;
		const data = await context.getCredentials(type).catch((error: unknown) => {
			if (required) throw error;
			return undefined;
		});
		if (!data) return undefined;
		const stored = await storedCredential(context, reference, type);
		const expressionFields = Object.keys(stored ?? {}).filter((name) => holdsExpression(stored![name]));
		const managesToken = context.getCredentialsProperties(type).some((property) => property.name === SESSION_TOKEN);
		const decrypted = { id: reference.id ?? '', name: reference.name, type, data };
		return { type, decrypted, sharedByItems: stored !== undefined && expressionFields.length === 0, managesToken, expressionFields };
	});
}

/** The node run's copy where items share it, otherwise the item's own read. */
export async function itemCredentialData(context: IExecuteSingleFunctions, type: string): Promise<ICredentialDataDecryptedObject> {
	const credential = await nodeRunCredential(context);
	if (credential?.type === type && credential.sharedByItems && credential.decrypted.data) return credential.decrypted.data;
	return await context.getCredentials(type);
}

/** The credential would act without the field (C2M Scopes left out asks for every scope). */
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
		throw nothingSent(
			context,
			`${label} in the credential "${credential.decrypted.name}" is set but resolved to nothing (${nothing}) for item ${context.getItemIndex()}`,
			`The credential field is an expression, and for this item its value is ${nothing}: the credential would act without it. Give the item a value, or change the credential.`,
			providerName,
		);
	}
}

/** From the item's own data where n8n resolves it per item, so no secret goes to another item's address. */
export function credentialBaseUrl(data: ICredentialDataDecryptedObject): string {
	return String(data.baseUrl ?? '')
		.trim()
		.replace(/\/+$/, '');
}

/** A copy per item, so a renewed token and what tokenSessions.ts notes of it stay with the item. */
export function sendWithNodeRunCredential(
	context: IExecuteSingleFunctions,
	credential: NodeRunCredential,
): ICredentialDataDecryptedObject {
	const itemCredential: ICredentialsDecrypted = { ...credential.decrypted, data: { ...credential.decrypted.data } };
	sendWithCredential(context, itemCredential);
	return itemCredential.data!;
}

/** Tokens stay in the process: n8n 1.x would write the resolved values over the expressions when storing one. */
export function sendWithItemOwnCredential(
	context: IExecuteSingleFunctions,
	credential: NodeRunCredential,
	data: ICredentialDataDecryptedObject,
): void {
	keepTokenInProcess(data);
	sendWithCredential(context, { ...credential.decrypted, data });
}

export function assertCredentialFits(
	context: IExecutePaginationFunctions,
	provider: ApiProvider,
	{ requiredCredential, authentication }: { requiredCredential?: { name: string; displayName: string }; authentication?: INodeProperties },
): void {
	if (requiredCredential && !context.getNode().credentials?.[requiredCredential.name]) {
		throw nothingSent(
			context,
			`Select a ${requiredCredential.displayName} credential`,
			`This operation calls ${provider.displayName} with a ${requiredCredential.displayName} credential, and none is selected.`,
		);
	}
	// n8n's editor offers, and may preselect, credential kinds this operation does not take.
	if (!authentication) return;
	const value = context.getNodeParameter(authentication.name, null);
	const accepted = (authentication.options ?? []) as INodePropertyOptions[];
	if (accepted.some((option) => option.value === value)) return;
	const choices = `a ${accepted.map((option) => option.name).join(' or ')}`;
	throw nothingSent(
		context,
		`This operation needs ${choices} credential`,
		`The selected credential is of the kind "${String(value)}" (${authentication.displayName}), which ${provider.displayName} does not accept for this operation. Select ${choices} credential.`,
		provider.displayName,
	);
}
