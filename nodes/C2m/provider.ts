import type { ApiProvider } from '../shared/provider';

/** C2M answers errors with `AuthError`: `{ code, message, details }` (api-reference/c2m.md). */
export const c2m: ApiProvider = {
	displayName: 'C2M',
	readErrorBody(body) {
		return {
			message: typeof body.message === 'string' ? body.message : undefined,
			code: typeof body.code === 'string' ? body.code : undefined,
		};
	},
	statusHints: {
		401: 'Check the credential: its token may have expired or been revoked, or the client ID may be wrong.',
		403: 'The token lacks the scope this call needs: tokens:write to issue long-term tokens, tokens:revoke to revoke.',
	},
	secretParameters: ['otpCode', 'assertion'],
};
