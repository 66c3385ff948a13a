import { NodeConnectionTypes, type INodeProperties, type INodeType, type INodeTypeDescription } from 'n8n-workflow';

import { requestOptionsProperty } from '../shared/concurrency';
import { JSON_API_REQUEST_DEFAULTS, actionSubtitle, tokenResource, withCustomApiCall } from '../shared/fields';
import { registerNodeDescription } from '../shared/parameters';
import { tokenFields, tokenOperations } from './TokenDescription';
import { runAi } from './provider';

const properties: INodeProperties[] = withCustomApiCall(runAi, [
	tokenResource(runAi),
	tokenOperations,
	...tokenFields,
	requestOptionsProperty,
]);

export class RunAi implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Run:ai',
		name: 'runAi',
		icon: { light: 'file:../../icons/runai.svg', dark: 'file:../../icons/runai.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: actionSubtitle(properties),
		description: 'Create and refresh NVIDIA Run:ai access tokens with every grant type Run:ai supports',
		defaults: { name: 'Run:ai' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// The credential carries the tenant's address; Run:ai's spec also puts its Bearer scheme
		// on every call, the token endpoints included.
		credentials: [{ name: 'runAiApi', required: true }],
		requestDefaults: JSON_API_REQUEST_DEFAULTS,
		properties,
	};

	constructor() {
		// The shared checks name fields as this description does.
		registerNodeDescription(this.description);
	}
}
