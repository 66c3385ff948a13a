import type { ApiProvider } from '../shared/provider';

/** Run:ai answers errors with `{ code, message, details }` (api-reference/runai.md, "Errors"). */
export const runAi: ApiProvider = {
	displayName: 'Run:ai',
	readErrorBody(body) {
		const message = typeof body.message === 'string' ? body.message : undefined;
		const details = typeof body.details === 'string' && body.details !== '' ? body.details : undefined;
		return { message: details && message ? `${message} (${details})` : (message ?? details) };
	},
	statusHints: {
		401: 'Check the credential: its access token may have expired, or its client ID and secret may be wrong.',
		503: 'Run:ai is temporarily unavailable. Try again later; the node’s Retry On Fail setting can do this for you.',
	},
	secretParameters: [
		'clientSecret',
		'password',
		'refreshToken',
		'code',
		'externalToken',
		'appSecret',
		'applicationSecret',
	],
};

/** Run:ai 2.20 removed the /v1/k8s/auth endpoints: a 404 there usually means a newer control plane. */
export const runAiLegacy: ApiProvider = {
	...runAi,
	statusHints: {
		...runAi.statusHints,
		404: 'This legacy endpoint exists only up to Run:ai 2.19. On 2.20 and later, use the Create operation (POST /api/v1/token) instead.',
	},
};
