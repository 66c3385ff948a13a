import type {
	ICredentialDataDecryptedObject,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	INodeProperties,
} from 'n8n-workflow';

import { knetikCloud } from '../nodes/KnetikCloud/provider';
import {
	baseUrlOf,
	baseUrlProperty,
	CREDENTIAL_BASE_URL,
	sessionBearerAuthentication,
} from '../nodes/shared/credentialAuth';
import { allowUnencryptedHttpProperty } from '../nodes/shared/urls';
import { requestToken, tokenField } from '../nodes/shared/tokenEndpoint';
import { sessionTokenProperty } from '../nodes/shared/storedToken';
import { sessionToken } from '../nodes/shared/tokenSessions';
import { expiryAfterSeconds } from '../nodes/shared/tokenExpiry';

export const KNETIK_BASE_URL_HINT =
	'The address of your Knetik app, such as https://<app>.sandbox.knetikcloud.com; each app has its own. The token URL is this address followed by /oauth/token.';

/** Reading one page of one token proves both the token and its TOKENS_ADMIN permission. */
export const KNETIK_TOKENS_TEST: ICredentialTestRequest = {
	request: { baseURL: CREDENTIAL_BASE_URL, url: '/auth/tokens', qs: { size: 1 } },
};

/** The fields of a Knetik grant; the client ID and secret are added from the credential. */
export type KnetikGrant = (credentials: ICredentialDataDecryptedObject) => Record<string, string>;

/** The values that decide which Knetik token a credential gets; its token is bound to them. */
export function knetikIdentity(grant: KnetikGrant) {
	return (credentials: ICredentialDataDecryptedObject): unknown[] => [
		'knetik',
		baseUrlOf(credentials),
		credentials.clientId,
		credentials.clientSecret,
		grant(credentials),
	];
}

/**
 * A Knetik token from `<base URL>/oauth/token` (form body, as Knetik reads it), kept in the
 * credential and shared by all items until Knetik answers 401.
 */
export async function knetikSessionToken(
	helper: IHttpRequestHelper,
	credentials: ICredentialDataDecryptedObject,
	grant: KnetikGrant,
) {
	const baseUrl = baseUrlOf(credentials);
	const { clientId, clientSecret } = credentials as Record<string, string>;
	return await sessionToken(credentials, knetikIdentity(grant)(credentials), async () => {
		const body = await requestToken(helper, knetikCloud, {
			method: 'POST',
			url: `${baseUrl}/oauth/token`,
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: {
				...grant(credentials),
				client_id: clientId,
				...(clientSecret ? { client_secret: clientSecret } : {}),
			},
		});
		// Knetik types expires_in as a string; its own examples send a number.
		return {
			accessToken: tokenField(body, 'access_token', knetikCloud),
			expiresAt: expiryAfterSeconds(body.expires_in),
		};
	});
}

const passwordGrant: KnetikGrant = (credentials) => ({
	grant_type: 'password',
	username: String(credentials.username ?? ''),
	password: String(credentials.password ?? ''),
});

/**
 * Knetik's resource-owner password grant, which n8n's OAuth2 credential does not offer: the
 * credential posts the form to `<base URL>/oauth/token` itself, keeps the token until Knetik
 * answers 401, then fetches a new one.
 */
export class KnetikCloudPasswordOAuth2Api implements ICredentialType {
	name = 'knetikCloudPasswordOAuth2Api';

	displayName = 'Knetik Cloud Password OAuth2 API';

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
			displayName: 'Username',
			name: 'username',
			type: 'string',
			required: true,
			default: '',
			description: 'A Knetik user whose role grants TOKENS_ADMIN',
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'That user’s Knetik password; it is sent only to the token endpoint at the Base URL',
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. web',
			description: 'The OAuth client allowed the password grant; Knetik apps usually have a public client named "web"',
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Only if the client has a secret; public clients have none',
		},
		// An opt-in for unusual setups, after the fields everyone fills.
		allowUnencryptedHttpProperty,
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		return await knetikSessionToken(this, credentials, passwordGrant);
	}

	authenticate = sessionBearerAuthentication(knetikIdentity(passwordGrant));

	test: ICredentialTestRequest = KNETIK_TOKENS_TEST;
}
