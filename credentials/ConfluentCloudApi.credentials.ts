import type {
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import { authenticateWith, baseUrlProperty, CREDENTIAL_BASE_URL } from '../nodes/shared/credentialAuth';
import { allowUnencryptedHttpProperty } from '../nodes/shared/urls';

export const CONFLUENT_CLOUD_API_URL = 'https://api.confluent.cloud';

/** How n8n's HTTP Request node presents calls to Confluent Cloud with either credential. */
export const CONFLUENT_HTTP_REQUEST_NODE = {
	name: 'Confluent Cloud',
	docsUrl: 'https://docs.confluent.io/cloud/current/api.html',
	apiBaseUrl: CONFLUENT_CLOUD_API_URL,
};

export class ConfluentCloudApi implements ICredentialType {
	name = 'confluentCloudApi';

	displayName = 'Confluent Cloud API';

	icon: Icon = { light: 'file:../icons/confluent.svg', dark: 'file:../icons/confluent.dark.svg' };

	documentationUrl =
		'https://docs.confluent.io/cloud/current/security/authenticate/workload-identities/service-accounts/api-keys/overview.html';

	httpRequestNode = CONFLUENT_HTTP_REQUEST_NODE;

	properties: INodeProperties[] = [
		{
			displayName: 'Cloud API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description:
				'The ID of a Cloud API key (not a cluster or resource API key). Create one in Confluent Cloud under Administration > API keys.',
		},
		{
			displayName: 'Cloud API Secret',
			name: 'apiSecret',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'The secret shown once when the Cloud API key was created',
		},
		baseUrlProperty({
			defaultUrl: CONFLUENT_CLOUD_API_URL,
			description: 'Change only to go through a proxy or to reach a test server',
		}),
		allowUnencryptedHttpProperty,
	];

	authenticate = authenticateWith((credentials) => ({
		auth: { username: String(credentials.apiKey ?? ''), password: String(credentials.apiSecret ?? '') },
	}));

	// Listing one environment is the cheapest read any Cloud API key may make.
	test: ICredentialTestRequest = {
		request: { baseURL: CREDENTIAL_BASE_URL, url: '/org/v2/environments', qs: { page_size: 1 } },
	};
}
