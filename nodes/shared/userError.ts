/**
 * Worded for the user, shown as it is. No `status` or `code` field: n8n would take it for an HTTP
 * status, swap the message for a generic one and, on 401, ask for a token again.
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
