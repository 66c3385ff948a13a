import type {
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import { C2M_BASE_URL_PROPERTY } from './C2mLongTermTokenApi.credentials';
import { authenticateWith, CREDENTIAL_BASE_URL } from '../nodes/shared/credentialAuth';
import { allowUnencryptedHttpProperty } from '../nodes/shared/urls';

/**
 * C2M's `ClientKey` scheme: the client ID travels as the `X-Client-Id` header, and the
 * client secret proves the client in the body of Issue Long-Term.
 */
export class C2mClientKeyApi implements ICredentialType {
	name = 'c2mClientKeyApi';

	displayName = 'C2M Client Key API';

	icon: Icon = { light: 'file:../icons/c2m.svg', dark: 'file:../icons/c2m.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-token-lifecycle/n8n-nodes-token-lifecycle#c2m-credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. c2m_abc123',
			description: 'The client identifier Click2Mail issued to you',
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'The client secret Click2Mail issued with the client ID. It is sent only in the body of Issue Long-Term Token, to the Base URL below.',
		},
		C2M_BASE_URL_PROPERTY,
		allowUnencryptedHttpProperty,
		{
			displayName:
				'Its Test button issues a real long-term token each time: the shortest C2M allows (one hour, no scopes), which you can revoke with the C2M node.',
			name: 'testNotice',
			type: 'notice',
			default: '',
		},
	];

	authenticate = authenticateWith((credentials) => ({
		headers: { 'X-Client-Id': String(credentials.clientId ?? '') },
	}));

	// Issuing a long-term token is the only call this scheme opens; the test asks for the
	// shortest one C2M allows (one hour), with no scopes.
	test: ICredentialTestRequest = {
		request: {
			baseURL: CREDENTIAL_BASE_URL,
			url: '/auth/tokens/long',
			method: 'POST',
			body: {
				grant_type: 'client_credentials',
				client_id: '={{ $credentials.clientId }}',
				client_secret: '={{ $credentials.clientSecret }}',
				ttl_seconds: 3600,
			},
		},
	};
}
