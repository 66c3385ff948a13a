import type { IDataObject } from 'n8n-workflow';

import { standardRetryAfterSeconds } from '../shared/httpErrors';
import type { ApiProvider } from '../shared/provider';

/**
 * Confluent Cloud answers errors with `{ errors: [{ status, code, title, detail, ... }] }`
 * (api-reference/confluent-cdx.md, "Error body") and sends `X-Request-Id` with every error.
 */
export const confluentCloud: ApiProvider = {
	displayName: 'Confluent Cloud',
	readErrorBody(body) {
		const errors = Array.isArray(body.errors) ? (body.errors as IDataObject[]) : [];
		const messages = errors
			.map((error) => error.detail ?? error.title ?? error.message)
			.filter((text): text is string => typeof text === 'string' && text !== '');
		const first = errors[0] ?? {};
		return {
			message: messages.length ? messages.join('; ') : undefined,
			code: typeof first.code === 'string' ? first.code : undefined,
		};
	},
	requestIdHeader: 'x-request-id',
	// `X-RateLimit-Reset` counts seconds from now, not an epoch time (confluent-cdx.md, 429).
	retryAfterSeconds(headers) {
		const retryAfter = standardRetryAfterSeconds(headers);
		if (retryAfter !== undefined) return retryAfter;
		const reset = Number(headers['x-ratelimit-reset']);
		return Number.isFinite(reset) && headers['x-ratelimit-reset'] !== undefined ? reset : undefined;
	},
	statusHints: {
		401: 'Check the Cloud API key and secret in the credential. Stream Sharing needs a Cloud API key; a cluster or resource API key is refused.',
		403: 'The Cloud API key is valid but its owner may not perform this call.',
	},
	secretParameters: ['token', 'subjectToken'],
};

/** The identity pool credential's token endpoint, whose errors are RFC 6749 5.2's `{ error, error_description }`. */
export const identityProvider: ApiProvider = {
	displayName: 'The identity provider',
	readErrorBody(body) {
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
