/**
 * The mock APIs a real n8n talks to in the end-to-end tests and in `npm start`, and the
 * credentials that point at them. One entry per API: adding a provider is adding its mock here.
 */
import { C2M_CLIENT, C2mMock } from './mock/c2m.ts';
import { CLOUD_API_KEY, ConfluentMock, IDENTITY_POOL_ID } from './mock/confluent.ts';
import { IDP_CLIENT, IdentityProviderMock } from './mock/identityProvider.ts';
import { KNETIK_ADMIN_CLIENT, KNETIK_ADMIN_USER, KNETIK_PUBLIC_CLIENT, KnetikMock } from './mock/knetik.ts';
import { RUNAI_CLIENT, RunAiMock } from './mock/runai.ts';
import type { MockServer } from './mock/server.ts';

/** A credential as `n8n import:credentials` takes it; n8n encrypts `data` on import. */
export interface CredentialExport {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

/** A second share token, so that each example that redeems one has its own. */
export const RECIPE_SHARE_TOKEN = 'cdx_share_5e4d3c2b1a00';

export function createMocks() {
	const identityProvider = new IdentityProviderMock();
	const confluent = new ConfluentMock();
	// The identity pool trusts JWTs from this identity provider, as a real pool trusts yours.
	confluent.trustsSubjectToken = (token) => identityProvider.issuedToken(token);
	confluent.shareTokens.set(RECIPE_SHARE_TOKEN, { redeemed: false });
	return { confluent, identityProvider, runAi: new RunAiMock(), knetik: new KnetikMock(), c2m: new C2mMock() };
}

export type Mocks = ReturnType<typeof createMocks>;
export type MockName = keyof Mocks;

interface Site {
	/** Loopback port of the mock in `npm start`, so the editor's URLs stay the same between runs. */
	port: number;
	/** The address the example workflows use, replaced by the mock's when they are imported. */
	publicUrl: string;
}

export const SITES: Record<MockName, Site> = {
	confluent: { port: 5701, publicUrl: 'https://api.confluent.cloud' },
	identityProvider: { port: 5702, publicUrl: 'https://idp.example.com' },
	runAi: { port: 5703, publicUrl: 'https://example.run.ai' },
	knetik: { port: 5704, publicUrl: 'https://example.sandbox.knetikcloud.com' },
	c2m: { port: 5705, publicUrl: 'https://api.click2mail.com/v2' },
};

/**
 * The credentials the example workflows name, filled in for the mocks. Their IDs and names are
 * the ones the example JSON refers to, so importing both links them.
 */
export function mockCredentials({ mocks, urls }: Pick<RunningMocks, 'mocks' | 'urls'>): CredentialExport[] {
	return [
		{
			id: 'tlConfluentApi01',
			name: 'Confluent Cloud API (sandbox)',
			type: 'confluentCloudApi',
			data: { apiKey: CLOUD_API_KEY.key, apiSecret: CLOUD_API_KEY.secret, baseUrl: urls.confluent },
		},
		{
			id: 'tlConfluentPool1',
			name: 'Confluent Cloud Identity Pool (sandbox)',
			type: 'confluentCloudIdentityPoolOAuth2Api',
			data: {
				idpTokenUrl: `${urls.identityProvider}/oauth2/token`,
				clientId: IDP_CLIENT.id,
				clientSecret: IDP_CLIENT.secret,
				scope: '',
				clientAuthentication: 'header',
				identityPoolId: IDENTITY_POOL_ID,
				lifetime: 900,
				baseUrl: urls.confluent,
			},
		},
		{
			// n8n's own Basic Auth credential, for asking the identity provider for a JWT directly.
			id: 'tlIdpClient00001',
			name: 'Identity provider client (sandbox)',
			type: 'httpBasicAuth',
			data: { user: IDP_CLIENT.id, password: IDP_CLIENT.secret },
		},
		{
			id: 'tlRunAiApi000001',
			name: 'Run:ai API (sandbox)',
			type: 'runAiApi',
			data: {
				baseUrl: urls.runAi,
				authentication: 'clientCredentials',
				clientId: RUNAI_CLIENT.id,
				clientSecret: RUNAI_CLIENT.secret,
			},
		},
		{
			id: 'tlKnetikOAuth201',
			name: 'Knetik Cloud OAuth2 API (sandbox)',
			type: 'knetikCloudOAuth2Api',
			data: {
				baseUrl: urls.knetik,
				clientId: KNETIK_ADMIN_CLIENT.id,
				clientSecret: KNETIK_ADMIN_CLIENT.secret,
			},
		},
		{
			id: 'tlKnetikPasswd01',
			name: 'Knetik Cloud Password OAuth2 API (sandbox)',
			type: 'knetikCloudPasswordOAuth2Api',
			data: {
				baseUrl: urls.knetik,
				username: KNETIK_ADMIN_USER.username,
				password: KNETIK_ADMIN_USER.password,
				clientId: KNETIK_PUBLIC_CLIENT,
				clientSecret: '',
			},
		},
		{
			id: 'tlC2mLongTerm001',
			name: 'C2M Long-Term Token API (sandbox)',
			type: 'c2mLongTermTokenApi',
			data: { longTermToken: mocks.c2m.longTermToken(), baseUrl: urls.c2m },
		},
		{
			id: 'tlC2mShortTerm01',
			name: 'C2M Automatic Short-Term Token API (sandbox)',
			type: 'c2mShortTermTokenApi',
			data: { longTermToken: mocks.c2m.longTermToken(), scopes: '', baseUrl: urls.c2m },
		},
		// Last: n8n's editor preselects the newest credential a node accepts, and a new C2M node
		// starts on Issue Long-Term Token, which takes the client key. n8n 1.x breaks a tie in
		// update time (one import) by the node's credential order instead, so there the editor
		// test picks this credential as a user would.
		{
			id: 'tlC2mClientKey01',
			name: 'C2M Client Key API (sandbox)',
			type: 'c2mClientKeyApi',
			data: { clientId: C2M_CLIENT.id, clientSecret: C2M_CLIENT.secret, baseUrl: urls.c2m },
		},
	];
}

export interface RunningMocks {
	mocks: Mocks;
	urls: Record<MockName, string>;
	/** Points the public API addresses in a workflow's JSON at the mocks. */
	rewrite(json: string): string;
	stop(): Promise<void>;
}

/** Starts every mock on loopback: on the fixed SITES ports, or on free ones (tests). */
export async function startMocks(ports: 'fixed' | 'free'): Promise<RunningMocks> {
	const mocks = createMocks();
	const servers = Object.entries(mocks).map(([name, mock]) => [name as MockName, mock.server] as const);
	const started: MockServer[] = [];
	try {
		for (const [name, server] of servers) {
			await server.start(ports === 'fixed' ? SITES[name].port : 0);
			started.push(server);
		}
	} catch (error) {
		await Promise.all(started.map((server) => server.stop()));
		throw error;
	}
	const urls = Object.fromEntries(servers.map(([name, server]) => [name, server.url])) as Record<MockName, string>;
	return {
		mocks,
		urls,
		rewrite: (json) =>
			Object.entries(SITES).reduce(
				(text, [name, site]) => text.replaceAll(site.publicUrl, urls[name as MockName]),
				json,
			),
		stop: async () => {
			await Promise.all(started.map((server) => server.stop()));
		},
	};
}
