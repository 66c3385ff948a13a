import type {
	IDataObject,
	IDisplayOptions,
	IHttpRequestOptions,
	IExecuteSingleFunctions,
	IN8nHttpFullResponse,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
	INodePropertyRouting,
	PostReceiveAction,
} from 'n8n-workflow';

import { itemCredentialData } from './nodeCredential';
import { refuseUnknownOperation } from './operation';
import { CUSTOM_API_CALL } from './parameters';
import type { ApiProvider } from './provider';

/**
 * The request defaults of every node here: JSON in and out. The base URL is the credential's,
 * set where each request is sent (see credentialBaseUrl), not here: an expression here costs
 * two evaluations per item.
 */
export const JSON_API_REQUEST_DEFAULTS = {
	headers: { Accept: 'application/json' },
	json: true,
};

/** The Resource field of the nodes whose only resource is Token. */
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

/**
 * The node's canvas subtitle: the action of the selected operation ("Issue a long-term token"),
 * as the nodes panel lists it, rather than raw values such as `issueLongTerm: token`.
 */
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

/** displayOptions that show a field for one operation of a resource, and any further conditions. */
export function showForOperation(
	resource: string,
	operation: string,
	conditions: Record<string, string[]> = {},
): IDisplayOptions {
	return { show: { resource: [resource], operation: [operation], ...conditions } };
}

/**
 * Routing for an option (or a collection's field) that sends values of the node's credential
 * in the body: `{ client_id: 'clientId' }` sends the credential's `clientId` as `client_id`.
 * Written as `={{ $credentials.clientId }}` it would send nothing on n8n 1.x, whose routing
 * engine evaluates an option's routing without `$credentials` (RoutingNode passes only
 * `$value` and `$version` below the top level); code reads the credential on every line
 * (itemCredentialData).
 */
export function bodyFromCredential(
	credentialType: string,
	fields: Record<string, string>,
	when: (context: IExecuteSingleFunctions) => boolean = () => true,
): INodePropertyRouting {
	return {
		send: {
			preSend: [
				async function (this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions) {
					if (!when(this)) return requestOptions;
					const credentials = await itemCredentialData(this, credentialType);
					const values = Object.fromEntries(
						Object.entries(fields).map(([bodyField, credentialField]) => [bodyField, credentials[credentialField]]),
					);
					return { ...requestOptions, body: { ...(requestOptions.body as object), ...values } };
				},
			],
		},
	};
}

/**
 * Routing that puts a node parameter into the request with code. The same as an expression in
 * the routing (`={{ $value }}`), which n8n would evaluate for every item at about 1 ms each.
 */
export function sendParameter(
	parameter: string,
	apply: (requestOptions: IHttpRequestOptions, value: unknown) => IHttpRequestOptions,
): INodePropertyRouting {
	return {
		send: {
			preSend: [
				async function (this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions) {
					return apply(requestOptions, this.getNodeParameter(parameter, ''));
				},
			],
		},
	};
}

/** Routing that sends a parameter in the query string only when it has a value. */
export function queryWhenSet(
	query: string,
	parameter: string,
	valueOf: (value: unknown) => unknown = (value) => value,
): INodePropertyRouting {
	return sendParameter(parameter, (requestOptions, value) => {
		const sent = valueOf(value);
		if (sent === '' || sent === undefined || sent === null) return requestOptions;
		return { ...requestOptions, qs: { ...requestOptions.qs, [query]: sent } };
	});
}

/**
 * The output of an operation whose documented answer has no body: one item confirming what
 * was done, built from the node's parameters. A function rather than a `set` action with an
 * expression, which n8n would evaluate per item.
 */
export function confirmation(fieldsOf: (context: IExecuteSingleFunctions) => IDataObject): PostReceiveAction {
	return async function (this: IExecuteSingleFunctions) {
		return [{ json: fieldsOf(this) }];
	};
}

/**
 * Fills an output field from a response header when the body lacks it: some APIs put an
 * identifier only in a header (C2M's `X-Token-Id`).
 */
export function fieldFromHeader(field: string, header: string): PostReceiveAction {
	return async function (this: IExecuteSingleFunctions, items: INodeExecutionData[], response: IN8nHttpFullResponse) {
		const value = response.headers[header.toLowerCase()];
		if (typeof value !== 'string' || value === '') return items;
		return items.map((item) =>
			item.json[field] === undefined || item.json[field] === null
				? { ...item, json: { ...item.json, [field]: value } }
				: item,
		);
	};
}

function customApiCallOption(provider: ApiProvider): INodePropertyOptions {
	return {
		name: 'Custom API Call',
		value: CUSTOM_API_CALL,
		action: 'Make a custom API call',
		description: `Call any other ${provider.displayName} endpoint from n8n's HTTP Request node, with this node's credential`,
	};
}

/**
 * Adds "Custom API Call" to every Resource and Operation list, as n8n itself does for nodes
 * whose credentials work in the HTTP Request node, but as an option the editor names and runs
 * sensibly. n8n adds its own only when a list does not end with one; its option has no action,
 * so the editor renamed the node `__CUSTOM_API_CALL__ token`. Running it is refused by the
 * shared parameter check (parameters.ts), which points to the HTTP Request node.
 */
export function withCustomApiCall(provider: ApiProvider, properties: INodeProperties[]): INodeProperties[] {
	const custom = customApiCallOption(provider);
	const withCustom = properties.map((property) =>
		property.name === 'resource' || property.name === 'operation'
			? { ...property, options: [...(property.options ?? []), custom] }
			: property,
	);
	// With Custom API Call as the resource, an Operation list that names it too, so that the
	// editor names the node after its action.
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
