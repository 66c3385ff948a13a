import type {
	ICredentialDataDecryptedObject,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	INodeProperties,
} from 'n8n-workflow';

import { c2m } from '../nodes/C2m/provider';
import { baseUrlOf, CREDENTIAL_BASE_URL, sessionBearerAuthentication } from '../nodes/shared/credentialAuth';
import { allowUnencryptedHttpProperty } from '../nodes/shared/urls';
import { requestToken, tokenField } from '../nodes/shared/tokenEndpoint';
import { sessionTokenProperty } from '../nodes/shared/storedToken';
import { sessionToken } from '../nodes/shared/tokenSessions';
import { expiryAfterSeconds, expiryAtInstant, soonestExpiry } from '../nodes/shared/tokenExpiry';
import { C2M_BASE_URL_PROPERTY, LONG_TERM_TOKEN_PROPERTY } from './C2mLongTermTokenApi.credentials';

function scopesOf(credentials: ICredentialDataDecryptedObject): string[] {
	return String(credentials.scopes ?? '')
		.split(/[\s,]+/)
		.filter(Boolean);
}

/** The values that decide which short-term token the credential gets; its token is bound to them. */
function identityOf(credentials: ICredentialDataDecryptedObject): unknown[] {
	return ['c2mShortTerm', baseUrlOf(credentials), credentials.longTermToken, scopesOf(credentials)];
}

/**
 * C2M's `ShortTokenAuth` scheme, run for the user: the credential keeps a long-term token,
 * trades it for a short-term token (`POST /auth/tokens/short`), sends that as Bearer, and
 * trades again when C2M answers 401 (short-term tokens live about 15 minutes).
 */
export class C2mShortTermTokenApi implements ICredentialType {
	name = 'c2mShortTermTokenApi';

	displayName = 'C2M Automatic Short-Term Token API';

	icon: Icon = { light: 'file:../icons/c2m.svg', dark: 'file:../icons/c2m.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-token-lifecycle/n8n-nodes-token-lifecycle#c2m-credentials';

	properties: INodeProperties[] = [
		sessionTokenProperty,
		LONG_TERM_TOKEN_PROPERTY,
		{
			displayName: 'Scopes',
			name: 'scopes',
			type: 'string',
			default: '',
			placeholder: 'e.g. jobs:submit templates:read',
			description:
				'Narrower scopes for the short-term tokens, separated by spaces or commas. Empty: the long-term token’s own.',
		},
		C2M_BASE_URL_PROPERTY,
		allowUnencryptedHttpProperty,
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const baseUrl = baseUrlOf(credentials);
		const scopes = scopesOf(credentials);
		return await sessionToken(credentials, identityOf(credentials), async () => {
			const body = await requestToken(
				this,
				c2m,
				{
					method: 'POST',
					url: `${baseUrl}/auth/tokens/short`,
					headers: { Authorization: `Bearer ${String(credentials.longTermToken)}` },
					body: scopes.length ? { scopes } : undefined,
				},
				// C2M documents 201 Created for a new short-term token.
				{ successStatus: 201 },
			);
			return {
				accessToken: tokenField(body, 'access_token', c2m),
				// C2M sends both; its own expiry instant comes first.
				expiresAt: soonestExpiry(expiryAtInstant(body.expires_at), expiryAfterSeconds(body.expires_in)),
			};
		});
	}

	authenticate = sessionBearerAuthentication(identityOf);

	// The documented calls a short-term token opens all change something, except revoking a
	// token ID that cannot exist: C2M answers 404 to an accepted token and 401 otherwise.
	test: ICredentialTestRequest = {
		request: {
			baseURL: CREDENTIAL_BASE_URL,
			url: '/auth/tokens/n8n-credential-test/revoke',
			method: 'POST',
			ignoreHttpStatusErrors: { ignore: true, except: [401] },
		},
	};
}
