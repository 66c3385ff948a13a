import type { IDataObject } from 'n8n-workflow';

import type { ApiProvider } from './provider';

/** A token endpoint whose errors are RFC 6749 5.2's `{ error, error_description }`. */
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
