/**
 * Confluent Cloud as api-reference/confluent-cdx.md and confluent-sts.md describe it: the two
 * Stream Sharing calls (HTTP Basic with a Cloud API key), the STS token exchange (no auth,
 * form-urlencoded) and, for credential tests and identity-pool tokens, the Org API's list of
 * environments (Cloud API key or STS token).
 */
import { check, mintToken, MockServer, type MockResponse, type RecordedRequest } from './server.ts';

export const CLOUD_API_KEY = { key: 'CCLOUDKEY1234567', secret: 'cloud-api-secret-value-1' };
/** A valid key whose owner may not use Stream Sharing. */
export const UNPRIVILEGED_API_KEY = { key: 'CCLOUDKEYNOROLES', secret: 'cloud-api-secret-value-2' };
export const SHARE_TOKEN = 'cdx_share_9f8e7d6c5b4a';
export const IDENTITY_POOL_ID = 'pool-AbCd';

const TOKEN_EXCHANGE = {
	grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
	subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
	requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
};

const REASONS: Record<number, string> = {
	400: 'Bad Request',
	401: 'Unauthorized',
	403: 'Forbidden',
	404: 'Not Found',
	409: 'Conflict',
	415: 'Unsupported Media Type',
	500: 'Internal Server Error',
};

/** The `Failure` body: `{ errors: [Error] }` (confluent-cdx.md, "Error body"). */
export function confluentErrorBody(status: number, detail: string, code: string) {
	return {
		errors: [{ id: mintToken('err'), status: String(status), code, title: REASONS[status] ?? 'Error', detail }],
	};
}

const SHARED_RESOURCE = {
	api_version: 'cdx/v1',
	kind: 'ConsumerSharedResource',
	id: 'csr-12345',
	metadata: {
		self: 'https://api.confluent.cloud/cdx/v1/consumer-shared-resources/csr-12345',
		resource_name: 'crn://confluent.cloud/organization=9bb441c4/consumer-shared-resource=csr-12345',
		created_at: '2026-01-02T15:04:05Z',
	},
	cloud: 'AWS',
	network_connection_types: [],
	display_name: 'Stock Trades',
	description: 'Realtime data for the orders placed through the website',
	tags: ['recent'],
	schemas: [{ subject: 'stock-trades-value', version: 1, id: 100001, schema_type: 'AVRO', schema: '"string"' }],
	organization_name: 'ABC Corp',
	organization_description: 'ABC Corp is the biggest online retailer',
	organization_contact: 'jane.doe@example.com',
	logo_url: 'https://confluent.cloud/api/cdx/v1/consumer-shared-resources/csr-12345/images/logo',
};

export class ConfluentMock {
	readonly server: MockServer;

	readonly apiKeys = new Map([
		[CLOUD_API_KEY.key, { secret: CLOUD_API_KEY.secret, mayShare: true }],
		[UNPRIVILEGED_API_KEY.key, { secret: UNPRIVILEGED_API_KEY.secret, mayShare: false }],
	]);

	/** Share tokens the provider has issued, and whether each was redeemed. */
	readonly shareTokens = new Map<string, { redeemed: boolean }>([[SHARE_TOKEN, { redeemed: false }]]);

	readonly identityPools = new Set([IDENTITY_POOL_ID]);

	/** Decides whether a JWT was issued by an identity provider the pools trust. */
	trustsSubjectToken: (token: unknown) => boolean = () => false;

	/** Set to make the Stream Sharing calls rate limited: `limit` calls per window. */
	rateLimit?: { limit: number; resetSeconds: number };

	private used = 0;

	private readonly stsTokens = new Map<string, number>();

	constructor() {
		this.server = new MockServer({
			name: 'Confluent Cloud',
			errorBody: confluentErrorBody,
			commonHeaders: () => ({ 'x-request-id': mintToken('req') }),
			routes: [
				{ method: 'POST', path: '/cdx/v1/shared-tokens:resources', handler: (r) => this.sharedTokenCall(r, 'resources') },
				{ method: 'POST', path: '/cdx/v1/shared-tokens:redeem', handler: (r) => this.sharedTokenCall(r, 'redeem') },
				{ method: 'POST', path: '/sts/v1/oauth2/token', handler: (r) => this.exchange(r) },
				{ method: 'GET', path: '/org/v2/environments', handler: (r) => this.environments(r) },
			],
		});
	}

	/** Makes every STS token issued so far expire now, as time would. */
	expireStsTokens(): void {
		for (const token of this.stsTokens.keys()) this.stsTokens.set(token, 0);
	}

	private unauthorized(detail: string): MockResponse {
		return this.server.error(401, detail, 'invalid_key', {
			'www-authenticate': `Basic error="invalid_key", error_description="${detail}"`,
		});
	}

	private cloudApiKeyOf(request: RecordedRequest) {
		const basic = check.basic(request);
		const key = basic ? this.apiKeys.get(basic.username) : undefined;
		return key && basic && key.secret === basic.password ? key : undefined;
	}

	private rateLimited(): MockResponse | undefined {
		if (!this.rateLimit) return undefined;
		this.used += 1;
		if (this.used <= this.rateLimit.limit) return undefined;
		const reset = String(this.rateLimit.resetSeconds);
		// The 429 of confluent-cdx.md has no body; X-RateLimit-Reset counts seconds from now.
		return {
			status: 429,
			headers: {
				'x-ratelimit-limit': String(this.rateLimit.limit),
				'x-ratelimit-remaining': '0',
				'x-ratelimit-reset': reset,
				'retry-after': reset,
			},
		};
	}

	private sharedTokenCall(request: RecordedRequest, call: 'resources' | 'redeem'): MockResponse {
		const key = this.cloudApiKeyOf(request);
		if (!key) return this.unauthorized('The API Key is invalid');
		if (!key.mayShare) {
			return this.server.error(403, 'The API key does not have permission to use Stream Sharing', 'forbidden');
		}
		const limited = this.rateLimited();
		if (limited) return limited;

		const badType = check.contentType(request, 'application/json') ?? check.jsonObject(request);
		if (badType) return this.server.error(400, badType, 'invalid_input');
		const body = request.body as Record<string, unknown>;
		const allowed = call === 'redeem' ? ['token', 'aws_account', 'azure_subscription', 'gcp_project'] : ['token'];
		const invalid = check.requiredStrings(body, ['token']) ?? check.onlyKeys(body, allowed);
		if (invalid) return this.server.error(400, invalid, 'invalid_input');
		if (body.gcp_project !== undefined && (typeof body.gcp_project !== 'string' || body.gcp_project === '')) {
			return this.server.error(400, 'gcp_project must not be empty', 'invalid_input');
		}
		if (!/^[A-Za-z0-9_.-]+$/.test(String(body.token))) {
			return this.server.error(400, 'The shared token is malformed', 'invalid_token');
		}
		const share = this.shareTokens.get(String(body.token));
		if (!share) return this.server.error(404, 'Shared token not found', 'not_found');
		if (share.redeemed) {
			return this.server.error(409, 'The shared token has already been redeemed', 'conflict', {
				location: 'https://api.confluent.cloud/cdx/v1/consumer-shares/cs-12345',
			});
		}
		if (call === 'resources') {
			return { status: 200, body: { consumer_shared_resources: [SHARED_RESOURCE] } };
		}
		share.redeemed = true;
		return {
			status: 200,
			body: {
				api_version: 'cdx/v1',
				kind: 'RedeemTokenResponse',
				id: 'rtr-12345',
				metadata: { self: 'https://api.confluent.cloud/cdx/v1/redeem-token-responses/rtr-12345' },
				api_key: 'SHAREDKAFKAKEY01',
				secret: 'shared-kafka-secret-value',
				kafka_bootstrap_url: 'SASL://pkc-xxxxx.us-west-2.aws.confluent.cloud:9092',
				schema_registry_api_key: 'SHAREDSRKEY00001',
				schema_registry_secret: 'shared-schema-registry-secret',
				schema_registry_url: 'https://psrc-xxxxx.us-west-2.aws.confluent.cloud',
				resources: [
					{ kind: 'Topic', topic: 'stock-trades' },
					{ kind: 'Group', group_prefix: 'stock-trades-consumer' },
					{ kind: 'Subject', subject: 'stock-trades-value' },
				],
			},
		};
	}

	private exchange(request: RecordedRequest): MockResponse {
		const badType = check.contentType(request, 'application/x-www-form-urlencoded');
		if (badType) return this.server.error(400, badType, 'invalid_input');
		const form = request.body as Record<string, string>;
		const invalid =
			check.requiredStrings(form, ['grant_type', 'subject_token', 'identity_pool_id', 'subject_token_type', 'requested_token_type']) ??
			check.onlyKeys(form, [...Object.keys(TOKEN_EXCHANGE), 'subject_token', 'identity_pool_id', 'expires_in']);
		if (invalid) return this.server.error(400, invalid, 'invalid_input');
		for (const [field, value] of Object.entries(TOKEN_EXCHANGE)) {
			if (form[field] !== value) return this.server.error(400, `${field} must be ${value}`, 'invalid_input');
		}
		const expiresIn = form.expires_in === undefined ? 900 : Number(form.expires_in);
		if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > 900) {
			return this.server.error(400, 'expires_in must be an integer of at most 900', 'invalid_input');
		}
		if (!this.identityPools.has(form.identity_pool_id)) {
			return this.server.error(400, `Identity pool ${form.identity_pool_id} does not exist`, 'invalid_identity_pool');
		}
		if (!this.trustsSubjectToken(form.subject_token)) {
			return this.server.error(400, 'The subject token is not a valid JWT from a trusted identity provider', 'invalid_subject_token');
		}
		const accessToken = mintToken('sts');
		this.stsTokens.set(accessToken, Date.now() + expiresIn * 1000);
		return {
			status: 200,
			body: {
				access_token: accessToken,
				issued_token_type: TOKEN_EXCHANGE.requested_token_type,
				token_type: 'Bearer',
				expires_in: expiresIn,
			},
		};
	}

	private environments(request: RecordedRequest): MockResponse {
		const bearer = check.bearer(request);
		const stsValidUntil = bearer ? this.stsTokens.get(bearer) : undefined;
		const authorized = this.cloudApiKeyOf(request) || (stsValidUntil !== undefined && stsValidUntil > Date.now());
		if (!authorized) {
			return this.unauthorized(bearer ? 'The access token is invalid or expired' : 'The API Key is invalid');
		}
		const pageSize = Number(request.query.get('page_size') ?? 10);
		if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
			return this.server.error(400, 'page_size must be between 1 and 100', 'invalid_input');
		}
		return {
			status: 200,
			body: {
				api_version: 'org/v2',
				kind: 'EnvironmentList',
				metadata: { first: 'https://api.confluent.cloud/org/v2/environments' },
				data: [{ api_version: 'org/v2', kind: 'Environment', id: 'env-00000', display_name: 'default' }].slice(0, pageSize),
			},
		};
	}
}
