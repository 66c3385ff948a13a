import { NodeConnectionTypes, type INodeProperties, type INodeType, type INodeTypeDescription } from 'n8n-workflow';

import { requestOptionsProperty } from '../shared/concurrency';
import { JSON_API_REQUEST_DEFAULTS, actionSubtitle, withCustomApiCall } from '../shared/fields';
import { refuseUnknownOperation } from '../shared/operation';
import { registerNodeDescription } from '../shared/parameters';
import { oauthTokenFields, oauthTokenOperations } from './OAuthTokenDescription';
import { confluentCloud } from './provider';
import { sharedTokenFields, sharedTokenOperations } from './SharedTokenDescription';

const properties: INodeProperties[] = withCustomApiCall(confluentCloud, [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'OAuth Token', value: 'oauthToken' },
			{ name: 'Share Token', value: 'sharedToken' },
		],
		default: 'sharedToken',
		routing: refuseUnknownOperation(confluentCloud),
	},
	sharedTokenOperations,
	...sharedTokenFields,
	oauthTokenOperations,
	...oauthTokenFields,
	requestOptionsProperty,
]);

export class ConfluentCloud implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Confluent Cloud',
		name: 'confluentCloud',
		icon: { light: 'file:../../icons/confluent.svg', dark: 'file:../../icons/confluent.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: actionSubtitle(properties),
		description:
			'Validate and redeem Confluent Stream Sharing tokens, and exchange identity provider tokens for Confluent Cloud access tokens',
		defaults: { name: 'Confluent Cloud' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'confluentCloudApi',
				// Not `required`: n8n would then demand it for the token exchange too, which
				// takes no credential. The shared-token operations check for it themselves.
				required: false,
				displayOptions: { show: { resource: ['sharedToken'] } },
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
