import type {
	ICredentialDataDecryptedObject,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	INodeProperties,
} from 'n8n-workflow';

import { c2m } from '../nodes/C2m/provider';
import { baseUrlOf, bearerAuthentication, CREDENTIAL_BASE_URL } from '../nodes/shared/fields';
import {
	expiryAfterSeconds,
	expiryAtInstant,
	requestToken,
	sessionToken,
	sessionTokenProperty,
	tokenField,
} from '../nodes/shared/tokens';
import { C2M_BASE_URL_PROPERTY, LONG_TERM_TOKEN_PROPERTY } from './C2mLongTermTokenApi.credentials';

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
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const baseUrl = baseUrlOf(credentials);
		const scopes = String(credentials.scopes ?? '')
			.split(/[\s,]+/)
			.filter(Boolean);
		const identity = ['c2mShortTerm', baseUrl, credentials.longTermToken, scopes];
		return await sessionToken(credentials, identity, async () => {
			const body = await requestToken(
				this,
				c2m,
				{
					method: 'POST',
					url: `${baseUrl}/auth/tokens/short`,
					headers: { Authorization: `Bearer ${String(credentials.longTermToken)}` },
					body: scopes.length ? { scopes } : undefined,
				},
				{ successStatus: 201 },
			);
			return {
				accessToken: tokenField(body, 'access_token', c2m),
				// C2M sends both; its own expiry instant comes first.
				expiresAt: expiryAtInstant(body.expires_at) ?? expiryAfterSeconds(body.expires_in),
			};
		});
	}

	authenticate = bearerAuthentication();

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
