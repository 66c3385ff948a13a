import type { IDataObject } from 'n8n-workflow';

import type { ApiProvider } from '../shared/provider';

/**
 * Knetik's generated clients define the error body `Result`: `{ code, request_id, result:
 * [{ message, field, details }] }` (api-reference/knetik.md, "Error body"); its OAuth2 layer
 * answers token problems the RFC 6749 way, `{ error, error_description }`. Both are read.
 */
export const knetikCloud: ApiProvider = {
	displayName: 'Knetik Cloud',
	readErrorBody(body) {
		const results = Array.isArray(body.result) ? (body.result as IDataObject[]) : [];
		const messages = results
			.map((entry) => (typeof entry.field === 'string' ? `${entry.field}: ${entry.message}` : entry.message))
			.filter((text): text is string => typeof text === 'string' && text !== '');
		const fallback = body.error_description ?? body.message;
		return {
			message: messages.length ? messages.join('; ') : typeof fallback === 'string' ? fallback : undefined,
			code: typeof body.error === 'string' ? body.error : undefined,
			requestId: typeof body.request_id === 'string' ? body.request_id : undefined,
		};
	},
	statusHints: {
		401: 'Check the credential: Knetik did not accept its token.',
		403: 'Listing, reading and deleting tokens needs the TOKENS_ADMIN permission: use a client or user whose role grants it.',
	},
	secretParameters: [],
};
