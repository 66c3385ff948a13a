import { NodeConnectionTypes, type INodeProperties, type INodeType, type INodeTypeDescription } from 'n8n-workflow';

import { requestOptionsProperty } from '../shared/concurrency';
import { JSON_API_REQUEST_DEFAULTS, actionSubtitle, tokenResource, withCustomApiCall } from '../shared/fields';
import { registerNodeDescription } from '../shared/parameters';
import { tokenFields, tokenOperations } from './TokenDescription';
import { knetikCloud } from './provider';

const properties: INodeProperties[] = withCustomApiCall(knetikCloud, [
	{
		displayName: 'Authentication',
		name: 'authentication',
		type: 'options',
		options: [
			{
				name: 'OAuth2 Client Credentials',
				value: 'clientCredentials',
				description: 'An admin client ID and secret',
			},
			{
				name: 'OAuth2 Password',
				value: 'password',
				description: 'An admin user’s username and password',
			},
		],
		default: 'clientCredentials',
	},
	tokenResource(knetikCloud),
	tokenOperations,
	...tokenFields,
	requestOptionsProperty,
]);

export class KnetikCloud implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Knetik Cloud',
		name: 'knetikCloud',
		icon: { light: 'file:../../icons/knetik.svg', dark: 'file:../../icons/knetik.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: actionSubtitle(properties),
		description: 'List, read and delete the OAuth tokens Knetik Cloud has stored (admin)',
		defaults: { name: 'Knetik Cloud' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// Both OAuth2 grants Knetik documents work for every operation.
		credentials: [
			{
				name: 'knetikCloudOAuth2Api',
				required: true,
				displayOptions: { show: { authentication: ['clientCredentials'] } },
			},
			{
				name: 'knetikCloudPasswordOAuth2Api',
				required: true,
				displayOptions: { show: { authentication: ['password'] } },
			},
		],
		requestDefaults: JSON_API_REQUEST_DEFAULTS,
		properties,
	};

	constructor() {
		// The shared checks name fields as this description does.
		registerNodeDescription(this.description);
	}
}
