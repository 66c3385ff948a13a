/**
 * An error of the package's own making, worded for the user: the exit (errorExit.ts) shows its
 * message, description and HTTP code as they are, secrets removed. It has no `status` or `code`
 * field on purpose: n8n would take that for an HTTP status, swap the message for a generic one
 * and, on 401, ask for a token a second time. n8n keeps the message and description of what a
 * credential's preAuthentication throws.
 */
export class UserError extends Error {
	constructor(
		message: string,
		readonly description: string,
		readonly httpCode?: string,
	) {
		super(message);
		this.name = 'UserError';
	}
}
