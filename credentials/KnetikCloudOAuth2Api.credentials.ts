import type { Icon, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

import { baseUrlProperty } from '../nodes/shared/fields';
import { KNETIK_BASE_URL_HINT, KNETIK_TOKENS_TEST } from './KnetikCloudPasswordOAuth2Api.credentials';

/**
 * Knetik's client credentials grant, on n8n's own OAuth2 credential: n8n fetches the token
 * from `<base URL>/oauth/token`, stores it, and fetches a new one when Knetik answers 401.
 */
export class KnetikCloudOAuth2Api implements ICredentialType {
	name = 'knetikCloudOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Knetik Cloud OAuth2 API';

	icon: Icon = { light: 'file:../icons/knetik.svg', dark: 'file:../icons/knetik.dark.svg' };

	documentationUrl =
		'https://github.com/knetikmedia/knetikcloud-python-client/blob/master/docs/AccessTokenApi.md';

	properties: INodeProperties[] = [
		baseUrlProperty({
			defaultUrl: '',
			placeholder: 'https://<app>.sandbox.knetikcloud.com',
			description: KNETIK_BASE_URL_HINT,
		}),
		{ displayName: 'Grant Type', name: 'grantType', type: 'hidden', default: 'clientCredentials' },
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default: '={{ $self["baseUrl"].replace(/\\/+$/, "") }}/oauth/token',
		},
		{ displayName: 'Scope', name: 'scope', type: 'hidden', default: '' },
		{ displayName: 'Auth URI Query Parameters', name: 'authQueryParameters', type: 'hidden', default: '' },
		// Knetik's token endpoint reads client_id and client_secret from the form body.
		{ displayName: 'Authentication', name: 'authentication', type: 'hidden', default: 'body' },
	];

	test: ICredentialTestRequest = KNETIK_TOKENS_TEST;
}
