import type {
	IDataObject,
	IDisplayOptions,
	IHttpRequestOptions,
	IExecuteSingleFunctions,
	INodeProperties,
	INodePropertyOptions,
	INodePropertyRouting,
	PostReceiveAction,
	PreSendAction,
} from 'n8n-workflow';

import { itemCredentialData } from './nodeCredential';
import { refuseUnknownOperation } from './operation';
import { CUSTOM_API_CALL } from './parameters';
import type { ApiProvider } from './provider';

/** No base URL here: an expression here costs two evaluations per item; operation.ts sets it per request. */
export const JSON_API_REQUEST_DEFAULTS = {
	headers: { Accept: 'application/json' },
	json: true,
};

export function tokenResource(provider: ApiProvider): INodeProperties {
	return {
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [{ name: 'Token', value: 'token' }],
		default: 'token',
		routing: refuseUnknownOperation(provider),
	};
}

/** The canvas subtitle: the operation's action ("Issue a long-term token"), not `issueLongTerm: token`. */
export function actionSubtitle(properties: INodeProperties[]): string {
	const actions: Record<string, string> = {};
	for (const property of properties) {
		if (property.name !== 'operation') continue;
		for (const resource of (property.displayOptions?.show?.resource ?? []) as string[]) {
			for (const option of (property.options ?? []) as INodePropertyOptions[]) {
				if (option.action) actions[`${resource}:${String(option.value)}`] = option.action;
			}
		}
	}
	return `={{ ${JSON.stringify(actions)}[$parameter["resource"] + ":" + $parameter["operation"]] ?? "" }}`;
}

export function showForOperation(
	resource: string,
	operation: string,
	conditions: Record<string, string[]> = {},
): IDisplayOptions {
	return { show: { resource: [resource], operation: [operation], ...conditions } };
}

function preSend(send: PreSendAction): INodePropertyRouting {
	return { send: { preSend: [send] } };
}

/** `{ client_id: 'clientId' }`; not `={{ $credentials.clientId }}`, which n8n 1.x evaluates without `$credentials`. */
export function bodyFromCredential(
	credentialType: string,
	fields: Record<string, string>,
	when: (context: IExecuteSingleFunctions) => boolean = () => true,
): INodePropertyRouting {
	return preSend(async function (requestOptions) {
		if (!when(this)) return requestOptions;
		const credentials = await itemCredentialData(this, credentialType);
		const values = Object.fromEntries(
			Object.entries(fields).map(([bodyField, credentialField]) => [bodyField, credentials[credentialField]]),
		);
		return { ...requestOptions, body: { ...(requestOptions.body as object), ...values } };
	});
}

/** Like `={{ $value }}` in the routing, without an expression evaluation per item. */
export function sendParameter(
	parameter: string,
	apply: (requestOptions: IHttpRequestOptions, value: unknown) => IHttpRequestOptions,
): INodePropertyRouting {
	return preSend(async function (requestOptions) {
		return apply(requestOptions, this.getNodeParameter(parameter, ''));
	});
}

/** One item for an answer without body; a function, as a `set` expression would be evaluated per item. */
export function confirmation(fieldsOf: (context: IExecuteSingleFunctions) => IDataObject): PostReceiveAction {
	return async function (this: IExecuteSingleFunctions) {
		return [{ json: fieldsOf(this) }];
	};
}

/** n8n then adds none of its own, whose lack of an action makes the editor name the node `__CUSTOM_API_CALL__ token`. */
export function withCustomApiCall(provider: ApiProvider, properties: INodeProperties[]): INodeProperties[] {
	const custom: INodePropertyOptions = {
		name: 'Custom API Call',
		value: CUSTOM_API_CALL,
		action: 'Make a custom API call',
		description: `Call any other ${provider.displayName} endpoint from n8n's HTTP Request node, with this node's credential`,
	};
	const withCustom = properties.map((property) =>
		property.name === 'resource' || property.name === 'operation'
			? { ...property, options: [...(property.options ?? []), custom] }
			: property,
	);
	// So that the editor names the node after the action when Custom API Call is the resource.
	const customOperation: INodeProperties = {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [CUSTOM_API_CALL] } },
		options: [custom],
		default: CUSTOM_API_CALL,
	};
	const resourceAt = withCustom.findIndex((property) => property.name === 'resource');
	withCustom.splice(resourceAt + 1, 0, customOperation);
	return withCustom;
}
