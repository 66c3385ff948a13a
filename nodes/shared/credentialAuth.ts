/*
 * How the credentials of this package authenticate a request: their base URL field and its
 * checks, and the `authenticate` functions that add a header or Basic auth (and a managed token).
 */
import type { ICredentialDataDecryptedObject, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { requestUrlOf } from './redirects';
import { accessTokenToSend } from './tokenSessions';
import { ALLOW_UNENCRYPTED_HTTP, assertEncryptedUnlessLocal, checkedUrl } from './urls';

/** The `baseUrl` field every credential of this package has. */
export function baseUrlProperty({
	defaultUrl,
	placeholder,
	description,
}: {
	defaultUrl: string;
	placeholder?: string;
	description: string;
}): INodeProperties {
	return {
		displayName: 'Base URL',
		name: 'baseUrl',
		type: 'string',
		default: defaultUrl,
		placeholder,
		required: true,
		description,
	};
}

/** Whether the user allowed the credential's secrets over plain http:// to another machine. */
export function allowsUnencryptedHttp(credentials: ICredentialDataDecryptedObject): boolean {
	return credentials[ALLOW_UNENCRYPTED_HTTP] === true;
}

/**
 * A credential's base URL, trimmed and without trailing slashes, as credentials use it in
 * code; a UserError naming the field when it cannot be used (see urls.ts).
 */
export function baseUrlOf(credentials: ICredentialDataDecryptedObject): string {
	return checkedUrl(credentials.baseUrl, 'Base URL', allowsUnencryptedHttp(credentials));
}

/**
 * Expression for a credential's test request: the credential's base URL. The credential's
 * authenticate checks the same value (baseUrlOf) before anything is sent.
 */
export const CREDENTIAL_BASE_URL = '={{ String($credentials?.baseUrl ?? "").trim().replace(/\\/+$/, "") }}';

/** What a credential adds to each request. */
export interface CredentialParts {
	headers?: Record<string, string>;
	auth?: { username: string; password: string };
}

type Authenticate = (
	credentials: ICredentialDataDecryptedObject,
	requestOptions: IHttpRequestOptions,
) => Promise<IHttpRequestOptions>;

/**
 * A credential's `authenticate`: adds its header or Basic auth to a request, and asks n8n not
 * to carry them to another origin if it follows a redirect. The nodes follow no redirect by
 * n8n (see redirects.ts); this matters in n8n's HTTP Request node, which follows redirects and
 * by default keeps Authorization across origins.
 */
export function authenticateWith(
	partsOf: (credentials: ICredentialDataDecryptedObject) => CredentialParts | Promise<CredentialParts>,
): Authenticate {
	return async (credentials, requestOptions) => {
		// Nothing is sent where the credential's address, or the request's, is refused.
		if (credentials.baseUrl !== undefined) baseUrlOf(credentials);
		const target = requestUrlOf({
			baseURL: requestOptions.baseURL,
			url: requestOptions.url ?? (requestOptions as { uri?: string }).uri,
		});
		assertEncryptedUnlessLocal(target, 'The request URL', allowsUnencryptedHttp(credentials));
		const parts = await partsOf(credentials);
		return {
			...requestOptions,
			headers: { ...requestOptions.headers, ...parts.headers },
			...(parts.auth ? { auth: parts.auth } : {}),
			sendCredentialsOnCrossOriginRedirect: false,
		};
	};
}

/** Sends a credential field as `Authorization: Bearer`; n8n's HTTP Request node applies it too. */
export function bearerAuthentication(field: string): Authenticate {
	return authenticateWith((credentials) => ({
		headers: { Authorization: `Bearer ${String(credentials[field] ?? '')}` },
	}));
}

/**
 * Sends a token-managing credential's token as `Authorization: Bearer`: the newest this n8n
 * process has for the credential's current values, or the stored one if it was issued for them
 * and is not known to have expired (see accessTokenToSend). Otherwise it sends nothing, and the
 * credential fetches a new token first; an old one stays where it was issued.
 */
export function sessionBearerAuthentication(
	identityOf: (credentials: ICredentialDataDecryptedObject) => unknown[],
): Authenticate {
	return authenticateWith(async (credentials) => ({
		headers: { Authorization: `Bearer ${await accessTokenToSend(credentials, identityOf(credentials))}` },
	}));
}
