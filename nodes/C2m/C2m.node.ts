import { NodeConnectionTypes, type INodeProperties, type INodeType, type INodeTypeDescription } from 'n8n-workflow';

import { requestOptionsProperty } from '../shared/concurrency';
import { JSON_API_REQUEST_DEFAULTS, actionSubtitle, tokenResource, withCustomApiCall } from '../shared/fields';
import { registerNodeDescription } from '../shared/parameters';
import { authenticationFields, tokenFields, tokenOperations } from './TokenDescription';
import { c2m } from './provider';

const properties: INodeProperties[] = withCustomApiCall(c2m, [
	...authenticationFields,
	tokenResource(c2m),
	tokenOperations,
	...tokenFields,
	requestOptionsProperty,
]);

export class C2m implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'C2M',
		name: 'c2m',
		icon: { light: 'file:../../icons/c2m.svg', dark: 'file:../../icons/c2m.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: actionSubtitle(properties),
		description: 'Issue, exchange and revoke C2M (Click2Mail API v2) long-term and short-term tokens',
		defaults: { name: 'C2M' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'c2mClientKeyApi', required: true, displayOptions: { show: { authentication: ['clientKey'] } } },
			{
				name: 'c2mLongTermTokenApi',
				required: true,
				displayOptions: { show: { authentication: ['longTermToken'] } },
			},
			{
				name: 'c2mShortTermTokenApi',
				required: true,
				displayOptions: { show: { authentication: ['shortTermToken'] } },
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
