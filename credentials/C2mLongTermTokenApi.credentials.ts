import type { Icon, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import { baseUrlProperty, bearerAuthentication, CREDENTIAL_BASE_URL } from '../nodes/shared/credentialAuth';
import { allowUnencryptedHttpProperty } from '../nodes/shared/urls';

/** The published host changed three times (api-reference/c2m.md); this is the current one. */
export const C2M_BASE_URL_PROPERTY = baseUrlProperty({
	defaultUrl: 'https://api.click2mail.com/v2',
	description: 'The C2M API v2 address. Change it for a sandbox, a mock server, or if Click2Mail moves the API again.',
});

export const LONG_TERM_TOKEN_PROPERTY: INodeProperties = {
	displayName: 'Long-Term Token',
	name: 'longTermToken',
	type: 'string',
	typeOptions: { password: true },
	required: true,
	default: '',
	description: 'The access_token an Issue Long-Term call returned (it starts with lt_)',
};

/** C2M's `LongTokenAuth` scheme: a long-term token sent as a Bearer token. */
export class C2mLongTermTokenApi implements ICredentialType {
	name = 'c2mLongTermTokenApi';

	displayName = 'C2M Long-Term Token API';

	icon: Icon = { light: 'file:../icons/c2m.svg', dark: 'file:../icons/c2m.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-token-lifecycle/n8n-nodes-token-lifecycle#c2m-credentials';

	properties: INodeProperties[] = [LONG_TERM_TOKEN_PROPERTY, C2M_BASE_URL_PROPERTY, allowUnencryptedHttpProperty];

	authenticate = bearerAuthentication('longTermToken');

	// Exchanging the token for a short-term one is what a long-term token is for, and changes nothing.
	test: ICredentialTestRequest = {
		request: { baseURL: CREDENTIAL_BASE_URL, url: '/auth/tokens/short', method: 'POST' },
	};
}
