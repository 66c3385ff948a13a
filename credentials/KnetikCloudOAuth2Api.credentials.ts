import type {
	ICredentialDataDecryptedObject,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	INodeProperties,
} from 'n8n-workflow';

import { baseUrlProperty, sessionBearerAuthentication } from '../nodes/shared/credentialAuth';
import { allowUnencryptedHttpProperty } from '../nodes/shared/urls';
import { sessionTokenProperty } from '../nodes/shared/storedToken';
import {
	KNETIK_BASE_URL_HINT,
	KNETIK_TOKENS_TEST,
	knetikIdentity,
	knetikSessionToken,
	type KnetikGrant,
} from './KnetikCloudPasswordOAuth2Api.credentials';

const clientCredentialsGrant: KnetikGrant = () => ({ grant_type: 'client_credentials' });

/**
 * Knetik's client credentials grant. The credential fetches the token from
 * `<base URL>/oauth/token` itself rather than through n8n's OAuth2 credential: n8n's OAuth2
 * client follows a token endpoint's redirects wherever they point and, on 307, sends the
 * client secret there again. Fetched here, a redirect to another origin is refused (see
 * nodes/shared/redirects.ts), and one fetch serves all items.
 */
export class KnetikCloudOAuth2Api implements ICredentialType {
	name = 'knetikCloudOAuth2Api';

	displayName = 'Knetik Cloud OAuth2 API';

	icon: Icon = { light: 'file:../icons/knetik.svg', dark: 'file:../icons/knetik.dark.svg' };

	// Knetik's own documentation is no longer online; its generated SDK pages document code, not this credential.
	documentationUrl = 'https://github.com/n8n-nodes-token-lifecycle/n8n-nodes-token-lifecycle#knetik-cloud-credentials';

	properties: INodeProperties[] = [
		sessionTokenProperty,
		baseUrlProperty({
			defaultUrl: '',
			placeholder: 'e.g. https://<app>.sandbox.knetikcloud.com',
			description: KNETIK_BASE_URL_HINT,
		}),
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			required: true,
			default: '',
			description: 'A Knetik client whose role grants TOKENS_ADMIN',
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'The client secret Knetik issued for this admin client. It is sent only to the Base URL’s /oauth/token endpoint.',
		},
		// An opt-in for unusual setups, after the fields everyone fills.
		allowUnencryptedHttpProperty,
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		return await knetikSessionToken(this, credentials, clientCredentialsGrant);
	}

	authenticate = sessionBearerAuthentication(knetikIdentity(clientCredentialsGrant));

	test: ICredentialTestRequest = KNETIK_TOKENS_TEST;
}
