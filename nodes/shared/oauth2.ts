import type { IDataObject } from 'n8n-workflow';

import type { ApiProvider } from './provider';

/**
 * A token endpoint that answers errors the way RFC 6749 section 5.2 prescribes:
 * `{ error, error_description }`. Used for identity providers and OAuth2 token URLs.
 */
export function oauth2TokenEndpoint(displayName: string): ApiProvider {
	return {
		displayName,
		readErrorBody(body: IDataObject) {
			const description = body.error_description ?? body.message;
			return {
				message: typeof description === 'string' ? description : undefined,
				code: typeof body.error === 'string' ? body.error : undefined,
			};
		},
		statusHints: {
			400: 'Check the client ID, client secret and scope in the credential.',
			401: 'Check the client ID and client secret in the credential.',
		},
		secretParameters: [],
	};
}
