import type {
	ICredentialDataDecryptedObject,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	INodeProperties,
} from 'n8n-workflow';

import {
	MAX_TOKEN_LIFETIME_SECONDS,
	TOKEN_EXCHANGE_CONSTANTS,
} from '../nodes/ConfluentCloud/OAuthTokenDescription';
import { confluentCloud, identityProvider } from '../nodes/ConfluentCloud/provider';
import {
	allowsUnencryptedHttp,
	baseUrlOf,
	baseUrlProperty,
	CREDENTIAL_BASE_URL,
	sessionBearerAuthentication,
} from '../nodes/shared/credentialAuth';
import { allowUnencryptedHttpProperty, checkedUrl } from '../nodes/shared/urls';
import { requestToken, tokenField } from '../nodes/shared/tokenEndpoint';
import { sessionTokenProperty } from '../nodes/shared/storedToken';
import { sessionToken } from '../nodes/shared/tokenSessions';
import { expiryAfterSeconds } from '../nodes/shared/tokenExpiry';
import { CONFLUENT_CLOUD_API_URL, CONFLUENT_HTTP_REQUEST_NODE } from './ConfluentCloudApi.credentials';

function lifetimeOf(credentials: ICredentialDataDecryptedObject): number {
	return Number(credentials.lifetime) || MAX_TOKEN_LIFETIME_SECONDS;
}

/** The values that decide which Confluent token the credential gets; its token is bound to them. */
function identityOf(credentials: ICredentialDataDecryptedObject): unknown[] {
	const { idpTokenUrl, clientId, clientSecret, scope, identityPoolId } = credentials;
	return ['confluentIdentityPool', idpTokenUrl, clientId, clientSecret, scope, identityPoolId, baseUrlOf(credentials), lifetimeOf(credentials)];
}

/**
 * Confluent Cloud access through an identity pool: the credential gets a JWT from the user's
 * own identity provider (client credentials grant), exchanges it at Confluent's Security Token
 * Service for a Confluent token, and sends that as a Bearer token until Confluent answers 401.
 */
export class ConfluentCloudIdentityPoolOAuth2Api implements ICredentialType {
	name = 'confluentCloudIdentityPoolOAuth2Api';

	displayName = 'Confluent Cloud Identity Pool OAuth2 API';

	icon: Icon = { light: 'file:../icons/confluent.svg', dark: 'file:../icons/confluent.dark.svg' };

	documentationUrl =
		'https://docs.confluent.io/cloud/current/security/authenticate/workload-identities/identity-providers/oauth/access-rest-apis-sts.html';

	httpRequestNode = CONFLUENT_HTTP_REQUEST_NODE;

	properties: INodeProperties[] = [
		sessionTokenProperty,
		{
			displayName: 'Identity Provider Token URL',
			name: 'idpTokenUrl',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token',
			description:
				'Token endpoint of the identity provider registered in Confluent Cloud (Okta, Microsoft Entra ID, Keycloak, ...)',
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			required: true,
			default: '',
			description: 'Client ID of the application registered at your identity provider',
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'The client secret your identity provider issued for this client. It is sent only to the Identity Provider Token URL.',
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'string',
			default: '',
			description: 'Space-separated scopes to request from the identity provider, if it needs any',
		},
		{
			displayName: 'Client Authentication',
			name: 'clientAuthentication',
			type: 'options',
			options: [
				{ name: 'Send as Basic Auth Header', value: 'header' },
				{ name: 'Send Client Credentials in Body', value: 'body' },
			],
			default: 'header',
			description: 'How the identity provider expects the client ID and secret',
		},
		{
			displayName: 'Identity Pool ID',
			name: 'identityPoolId',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. pool-AbCd',
			description: 'The Confluent Cloud identity pool that maps the JWT to permissions',
		},
		{
			displayName: 'Token Lifetime (Seconds)',
			name: 'lifetime',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: MAX_TOKEN_LIFETIME_SECONDS },
			default: MAX_TOKEN_LIFETIME_SECONDS,
			description:
				'How long each Confluent token lives; Confluent allows at most 900 seconds. A new one is fetched when Confluent rejects the old one.',
		},
		baseUrlProperty({
			defaultUrl: CONFLUENT_CLOUD_API_URL,
			description: 'Confluent Cloud API address; change only to go through a proxy or reach a test server',
		}),
		allowUnencryptedHttpProperty,
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const { clientId, clientSecret, scope, clientAuthentication, identityPoolId } =
			credentials as Record<string, string>;
		const idpTokenUrl = checkedUrl(
			credentials.idpTokenUrl,
			'Identity Provider Token URL',
			allowsUnencryptedHttp(credentials),
		);
		const baseUrl = baseUrlOf(credentials);
		const lifetime = lifetimeOf(credentials);
		return await sessionToken(credentials, identityOf(credentials), async () => {
			const inBody = clientAuthentication === 'body';
			const jwt = await requestToken(this, identityProvider, {
				method: 'POST',
				url: idpTokenUrl,
				headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
				auth: inBody ? undefined : { username: clientId, password: clientSecret },
				body: {
					grant_type: 'client_credentials',
					...(scope ? { scope } : {}),
					...(inBody ? { client_id: clientId, client_secret: clientSecret } : {}),
				},
			});
			const exchanged = await requestToken(this, confluentCloud, {
				method: 'POST',
				url: `${baseUrl}/sts/v1/oauth2/token`,
				headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
				body: {
					...TOKEN_EXCHANGE_CONSTANTS,
					subject_token: tokenField(jwt, 'access_token', identityProvider),
					identity_pool_id: identityPoolId,
					expires_in: lifetime,
				},
			});
			return {
				accessToken: tokenField(exchanged, 'access_token', confluentCloud),
				expiresAt: expiryAfterSeconds(exchanged.expires_in),
			};
		});
	}

	authenticate = sessionBearerAuthentication(identityOf);

	// Environments accept Confluent STS tokens as well as Cloud API keys.
	test: ICredentialTestRequest = {
		request: { baseURL: CREDENTIAL_BASE_URL, url: '/org/v2/environments', qs: { page_size: 1 } },
	};
}
