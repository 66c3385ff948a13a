import type {
	IAuthenticateGeneric,
	IDisplayOptions,
	IExecuteSingleFunctions,
	IN8nHttpFullResponse,
	INodeExecutionData,
	INodeProperties,
	PostReceiveAction,
} from 'n8n-workflow';

import { refuseUnknownOperation } from './operation';
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
	routing: refuseUnknownOperation,
};

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
