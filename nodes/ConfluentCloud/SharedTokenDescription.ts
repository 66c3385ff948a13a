import type { INodeProperties } from 'n8n-workflow';
import { z } from 'zod/v3';

import { operationRouting } from '../shared/operation';
import { optionalText, requiredText } from '../shared/validation';
import { confluentCloud } from './provider';

const showForSharedToken = { resource: ['sharedToken'] };

// The Stream Sharing operations document only HTTP Basic with a Cloud API key
// (api-reference/confluent-cdx.md, "Authentication").
const cloudApiKey = { name: 'confluentCloudApi', displayName: 'Confluent Cloud API' };

const tokenRules = z.object({ token: requiredText('Share Token') });

export const sharedTokenOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: showForSharedToken },
	options: [
		{
			name: 'Get Resources',
			value: 'getResources',
			action: 'Validate a share token and list its resources',
			description:
				'Check that a Stream Sharing token is valid and list the topics, schemas and provider it shares, without redeeming it',
			routing: operationRouting(confluentCloud, {
				request: { method: 'POST', url: '/cdx/v1/shared-tokens:resources' },
				input: tokenRules,
				requiredCredential: cloudApiKey,
			}),
		},
		{
			name: 'Redeem',
			value: 'redeem',
			action: 'Redeem a share token for API keys',
			description:
				'Redeem a Stream Sharing token for the Kafka and Schema Registry API keys, secrets and endpoints of the shared topics. Creates an API key: run it once per token.',
			routing: operationRouting(confluentCloud, {
				request: { method: 'POST', url: '/cdx/v1/shared-tokens:redeem' },
				input: tokenRules.extend({
					additionalFields: z.object({
						awsAccount: optionalText('AWS Account'),
						azureSubscription: optionalText('Azure Subscription'),
						gcpProject: optionalText('GCP Project'),
					}),
				}),
				requiredCredential: cloudApiKey,
			}),
		},
	],
	default: 'getResources',
};

export const sharedTokenFields: INodeProperties[] = [
	{
		displayName: 'Share Token',
		name: 'token',
		type: 'string',
		typeOptions: { password: true },
		required: true,
		default: '',
		description:
			'The encrypted Stream Sharing token the data provider sent you, from the invitation email or the Confluent CLI',
		displayOptions: { show: showForSharedToken },
		routing: { send: { type: 'body', property: 'token' } },
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		description: 'Only needed when the shared cluster is reached over a private network connection',
		displayOptions: { show: { ...showForSharedToken, operation: ['redeem'] } },
		options: [
			{
				displayName: 'AWS Account',
				name: 'awsAccount',
				type: 'string',
				default: '',
				placeholder: 'e.g. 000000000000',
				description: 'Your AWS account ID, for AWS PrivateLink access to the shared cluster',
				routing: { send: { type: 'body', property: 'aws_account' } },
			},
			{
				displayName: 'Azure Subscription',
				name: 'azureSubscription',
				type: 'string',
				default: '',
				placeholder: 'e.g. 00000000-0000-0000-0000-000000000000',
				description: 'Your Azure subscription ID, for Azure Private Link access to the shared cluster',
				routing: { send: { type: 'body', property: 'azure_subscription' } },
			},
			{
				displayName: 'GCP Project',
				name: 'gcpProject',
				type: 'string',
				default: '',
				placeholder: 'e.g. my-project-123456',
				description:
					'Your Google Cloud project ID, for Private Service Connect access to the shared cluster',
				routing: { send: { type: 'body', property: 'gcp_project' } },
			},
		],
	},
];
