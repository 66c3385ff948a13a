/**
 * An OAuth2 identity provider token endpoint (client credentials grant, RFC 6749 section 4.4),
 * standing in for the Okta / Entra ID / Keycloak a Confluent identity pool trusts.
 */
import { check, mintToken, MockServer, type RecordedRequest } from './server.ts';

export const IDP_CLIENT = { id: 'n8n-idp-client', secret: 'idp-client-secret-value' };

export class IdentityProviderMock {
	readonly server: MockServer;

	readonly clients = new Map<string, string>([[IDP_CLIENT.id, IDP_CLIENT.secret]]);

	private readonly issued = new Set<string>();

	constructor() {
		this.server = new MockServer({
			name: 'identity provider',
			// RFC 6749 section 5.2
			errorBody: (_status, message, code) => ({ error: code, error_description: message }),
			routes: [{ method: 'POST', path: '/oauth2/token', handler: (request) => this.token(request) }],
		});
	}

	/**
	 * Registers another client. Credentials share tokens across a process by client ID and
	 * secret, so a test that counts token requests starts from a client of its own.
	 */
	addClient(): { id: string; secret: string } {
		const client = { id: mintToken('client'), secret: mintToken('secret') };
		this.clients.set(client.id, client.secret);
		return client;
	}

	/** Whether this provider issued the JWT (what Confluent's STS checks through the pool's trust). */
	issuedToken(token: unknown): boolean {
		return typeof token === 'string' && this.issued.has(token);
	}

	private clientOf(request: RecordedRequest, form: Record<string, string>) {
		const basic = check.basic(request);
		if (basic && form.client_id) return undefined; // RFC 6749 2.3: one method per request
		return basic ?? { username: form.client_id, password: form.client_secret };
	}

	private token(request: RecordedRequest) {
		const badType = check.contentType(request, 'application/x-www-form-urlencoded');
		if (badType) return this.server.error(400, badType, 'invalid_request');
		const form = request.body as Record<string, string>;
		if (form.grant_type !== 'client_credentials') {
			return this.server.error(400, `Unsupported grant type "${form.grant_type}"`, 'unsupported_grant_type');
		}
		const client = this.clientOf(request, form);
		if (!client?.username || this.clients.get(client.username) !== client.password) {
			return this.server.error(401, 'Client authentication failed', 'invalid_client', {
				'www-authenticate': 'Basic realm="idp"',
			});
		}
		const accessToken = mintToken('idp_jwt');
		this.issued.add(accessToken);
		return {
			status: 200,
			body: { access_token: accessToken, token_type: 'Bearer', expires_in: 3600 },
		};
	}
}
