import type {
	IAuthenticateGeneric,
	IDisplayOptions,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
	PostReceiveAction,
} from 'n8n-workflow';

import { NodeOperationError } from 'n8n-workflow';

import type { ApiProvider } from './provider';
import { SESSION_TOKEN } from './tokens';

/** The `baseUrl` field every credential of this package has. */
export function baseUrlProperty({
	defaultUrl,
	placeholder,
	description,
}: {
	defaultUrl: string;
	placeholder?: string;
	description: string;
}): INodeProperties {
	return {
		displayName: 'Base URL',
		name: 'baseUrl',
		type: 'string',
		default: defaultUrl,
		placeholder,
		required: true,
		description,
	};
}

/** A credential's base URL without trailing slashes, as credentials use it in code. */
export function baseUrlOf(credentials: { baseUrl?: unknown }): string {
	return String(credentials.baseUrl ?? '').replace(/\/+$/, '');
}

/** Expression for `requestDefaults.baseURL`: the base URL of whichever credential the node uses. */
export const CREDENTIAL_BASE_URL = '={{ String($credentials?.baseUrl ?? "").replace(/\\/+$/, "") }}';

/** The request defaults of every node here: the credential's base URL, JSON in and out. */
export const JSON_API_REQUEST_DEFAULTS = {
	baseURL: CREDENTIAL_BASE_URL,
	headers: { Accept: 'application/json' },
	json: true,
};

/** The Resource field of the nodes whose only resource is Token. */
export const tokenResource: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: [{ name: 'Token', value: 'token' }],
	default: 'token',
};

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

/** Sends a credential field as `Authorization: Bearer`; n8n's HTTP Request node applies it too. */
export function bearerAuthentication(field = SESSION_TOKEN): IAuthenticateGeneric {
	return {
		type: 'generic',
		properties: { headers: { Authorization: `={{ "Bearer " + $credentials.${field} }}` } },
	};
}

/**
 * A node parameter as one URL path segment, always URL-encoded so that `/`, `?`, `#` or `%`
 * in a value cannot change the path. The rules in validation.ts reject `.` and `..`.
 */
export function pathParameter(name: string): string {
	return `{{ encodeURIComponent(String($parameter["${name}"] ?? "")) }}`;
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

/** The option value n8n's editor treats as "Custom API Call" (it then points to the HTTP Request node). */
const CUSTOM_API_CALL = '__CUSTOM_API_CALL__';

function customApiCallOption(provider: ApiProvider): INodePropertyOptions {
	return {
		name: 'Custom API Call',
		value: CUSTOM_API_CALL,
		action: 'Make a custom API call',
		description: `Call any other ${provider.displayName} endpoint from n8n's HTTP Request node, with this node's credential`,
		routing: {
			send: {
				preSend: [
					async function (this: IExecuteSingleFunctions): Promise<IHttpRequestOptions> {
						throw new NodeOperationError(this.getNode(), 'Custom API Call runs in the HTTP Request node', {
							itemIndex: this.getItemIndex(),
							description: `Add an HTTP Request node, set Authentication to Predefined Credential Type and choose this node's ${provider.displayName} credential: it sends the credential's token for you. Nothing was sent to ${provider.displayName}.`,
						});
					},
				],
			},
		},
	};
}

/**
 * Adds "Custom API Call" to every Resource and Operation list, as n8n itself does for nodes
 * whose credentials work in the HTTP Request node, but as an option the editor names and runs
 * sensibly. n8n adds its own only when a list does not end with one; its option has no action,
 * so the editor renamed the node `__CUSTOM_API_CALL__ token`, and a run sent `GET /` to the API.
 */
export function withCustomApiCall(provider: ApiProvider, properties: INodeProperties[]): INodeProperties[] {
	const custom = customApiCallOption(provider);
	const withCustom = properties.map((property) =>
		property.name === 'resource' || property.name === 'operation'
			? { ...property, options: [...(property.options ?? []), custom] }
			: property,
	);
	// With Custom API Call as the resource, an Operation list that names it too, so that the
	// editor's node name and the run both know what was chosen.
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
