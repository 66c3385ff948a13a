import type { ICredentialDataDecryptedObject, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { requestUrlOf } from './redirects';
import { accessTokenToSend } from './tokenSessions';
import { ALLOW_UNENCRYPTED_HTTP, assertEncryptedUnlessLocal, assertSafeProxy, checkedUrl } from './urls';

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

export function allowsUnencryptedHttp(credentials: ICredentialDataDecryptedObject): boolean {
	return credentials[ALLOW_UNENCRYPTED_HTTP] === true;
}

export function baseUrlOf(credentials: ICredentialDataDecryptedObject): string {
	return checkedUrl(credentials.baseUrl, 'Base URL', allowsUnencryptedHttp(credentials));
}

/** For a credential's test request; authenticate checks the same value (baseUrlOf) before sending. */
export const CREDENTIAL_BASE_URL = '={{ String($credentials?.baseUrl ?? "").trim().replace(/\\/+$/, "") }}';

export interface CredentialParts {
	headers?: Record<string, string>;
	auth?: { username: string; password: string };
}

type Authenticate = (
	credentials: ICredentialDataDecryptedObject,
	requestOptions: IHttpRequestOptions,
) => Promise<IHttpRequestOptions>;

/** The address and proxy rules hold in n8n's HTTP Request node too; sendCredentialsOnCrossOriginRedirect matters there, as it follows redirects. */
export function authenticateWith(
	partsOf: (credentials: ICredentialDataDecryptedObject) => CredentialParts | Promise<CredentialParts>,
): Authenticate {
	return async (credentials, requestOptions) => {
		if (credentials.baseUrl !== undefined) baseUrlOf(credentials);
		const target = requestUrlOf({
			baseURL: requestOptions.baseURL,
			url: requestOptions.url ?? (requestOptions as { uri?: string }).uri,
		});
		assertEncryptedUnlessLocal(target, 'The request URL', allowsUnencryptedHttp(credentials));
		assertSafeProxy(requestOptions.proxy, target, allowsUnencryptedHttp(credentials));
		const parts = await partsOf(credentials);
		return {
			...requestOptions,
			headers: { ...requestOptions.headers, ...parts.headers },
			...(parts.auth ? { auth: parts.auth } : {}),
			sendCredentialsOnCrossOriginRedirect: false,
		};
	};
}

export function bearerAuthentication(field: string): Authenticate {
	return authenticateWith((credentials) => ({
		headers: { Authorization: `Bearer ${String(credentials[field] ?? '')}` },
	}));
}

export function sessionBearerAuthentication(
	identityOf: (credentials: ICredentialDataDecryptedObject) => unknown[],
): Authenticate {
	return authenticateWith(async (credentials) => ({
		headers: { Authorization: `Bearer ${await accessTokenToSend(credentials, identityOf(credentials))}` },
	}));
}
