/**
 * A stored token is only ever sent where it was issued. Each token-managing credential gets a
 * token from one server; then the user points it elsewhere (a second server of the same API,
 * or another identity pool) and n8n keeps the stored token. The next request must not carry
 * the old token: the credential fetches a new one from the new address and uses that.
 */
import type { ICredentialDataDecryptedObject, INodeCredentialsDetails } from 'n8n-workflow';

import { N8nHarness } from './harness/n8n.ts';
import { C2mMock } from '../scripts/mock/c2m.ts';
import { ConfluentMock, IDENTITY_POOL_ID } from '../scripts/mock/confluent.ts';
import { IDP_CLIENT, IdentityProviderMock } from '../scripts/mock/identityProvider.ts';
import { KNETIK_ADMIN_CLIENT, KNETIK_ADMIN_USER, KNETIK_PUBLIC_CLIENT, KnetikMock } from '../scripts/mock/knetik.ts';
import { RUNAI_CLIENT, RunAiMock } from '../scripts/mock/runai.ts';
import type { MockServer } from '../scripts/mock/server.ts';
import { harnessWithEverything, serveDuringTests } from './support.ts';

const idp = new IdentityProviderMock();
const confluent = [new ConfluentMock(), new ConfluentMock()];
for (const mock of confluent) mock.trustsSubjectToken = (token) => idp.issuedToken(token);
const runai = [new RunAiMock(), new RunAiMock()];
const knetik = [new KnetikMock(), new KnetikMock()];
const c2m = [new C2mMock(), new C2mMock()];
const servers: MockServer[] = [idp, ...confluent, ...runai, ...knetik, ...c2m].map((mock) => mock.server);

let n8n: N8nHarness;

/** The token in a stored session token, with or without the fingerprint that binds it. */
const tokenIn = (stored: unknown) => String(stored).replace(/^[0-9a-f]{32}(@\d+)?:/, '');

serveDuringTests(servers);
beforeEach(() => {
	n8n = harnessWithEverything();
});

interface Case {
	type: string;
	/** The credential on the first server. */
	data: () => ICredentialDataDecryptedObject;
	/** What the user changes, and the server that now receives the requests. */
	change: (data: ICredentialDataDecryptedObject) => { data: ICredentialDataDecryptedObject; server: MockServer };
	/** A read the credential opens, on a server's address. */
	path: string;
	ignoreStatus?: number[];
}

const cases: Array<[string, Case]> = [
	[
		'Run:ai: the base URL changes to another tenant',
		{
			type: 'runAiApi',
			data: () => ({ baseUrl: runai[0].server.url, authentication: 'clientCredentials', clientId: RUNAI_CLIENT.id, clientSecret: RUNAI_CLIENT.secret }),
			change: (data) => ({ data: { ...data, baseUrl: runai[1].server.url }, server: runai[1].server }),
			path: '/api/v1/clusters',
		},
	],
	[
		'Knetik Cloud client credentials: the base URL changes to another app',
		{
			type: 'knetikCloudOAuth2Api',
			data: () => ({ baseUrl: knetik[0].server.url, clientId: KNETIK_ADMIN_CLIENT.id, clientSecret: KNETIK_ADMIN_CLIENT.secret }),
			change: (data) => ({ data: { ...data, baseUrl: knetik[1].server.url }, server: knetik[1].server }),
			path: '/auth/tokens?size=1',
		},
	],
	[
		'Knetik Cloud password grant: the base URL changes to another app',
		{
			type: 'knetikCloudPasswordOAuth2Api',
			data: () => ({ baseUrl: knetik[0].server.url, username: KNETIK_ADMIN_USER.username, password: KNETIK_ADMIN_USER.password, clientId: KNETIK_PUBLIC_CLIENT }),
			change: (data) => ({ data: { ...data, baseUrl: knetik[1].server.url }, server: knetik[1].server }),
			path: '/auth/tokens?size=1',
		},
	],
	[
		'Confluent identity pool: the base URL changes',
		{
			type: 'confluentCloudIdentityPoolOAuth2Api',
			data: () => ({ idpTokenUrl: `${idp.server.url}/oauth2/token`, clientId: IDP_CLIENT.id, clientSecret: IDP_CLIENT.secret, identityPoolId: IDENTITY_POOL_ID, baseUrl: confluent[0].server.url }),
			change: (data) => ({ data: { ...data, baseUrl: confluent[1].server.url }, server: confluent[1].server }),
			path: '/org/v2/environments?page_size=1',
		},
	],
	[
		'Confluent identity pool: the identity pool changes, same host',
		{
			type: 'confluentCloudIdentityPoolOAuth2Api',
			data: () => ({ idpTokenUrl: `${idp.server.url}/oauth2/token`, clientId: IDP_CLIENT.id, clientSecret: IDP_CLIENT.secret, identityPoolId: IDENTITY_POOL_ID, baseUrl: confluent[0].server.url }),
			change: (data) => {
				confluent[0].identityPools.add('pool-Other');
				return { data: { ...data, identityPoolId: 'pool-Other' }, server: confluent[0].server };
			},
			path: '/org/v2/environments?page_size=1',
		},
	],
	[
		'C2M automatic short-term token: the base URL and long-term token change',
		{
			type: 'c2mShortTermTokenApi',
			data: () => ({ baseUrl: c2m[0].server.url, longTermToken: c2m[0].longTermToken() }),
			change: (data) => ({ data: { ...data, baseUrl: c2m[1].server.url, longTermToken: c2m[1].longTermToken() }, server: c2m[1].server }),
			path: '/auth/tokens/n8n-credential-test/revoke',
			ignoreStatus: [404],
		},
	],
];

async function read(type: string, details: INodeCredentialsDetails, baseUrl: string, spec: Case) {
	const [path, query] = spec.path.split('?');
	return await n8n.sendWithCredential(type, details, {
		url: `${baseUrl}${path}`,
		qs: Object.fromEntries(new URLSearchParams(query ?? '')),
		method: spec.path.endsWith('/revoke') ? 'POST' : 'GET',
		...(spec.ignoreStatus ? { ignoreHttpStatusErrors: { ignore: true, except: [401] } } : {}),
	});
}

test.each(cases)('%s: the old token is not sent, a new one is fetched there', async (_name, spec) => {
	const data = spec.data();
	const details = n8n.addCredential(spec.type, data);
	const first = await read(spec.type, details, String(data.baseUrl), spec);
	expect(first.error).toBeUndefined();
	const oldToken = tokenIn(n8n.credentials.storedData(details).sessionToken);

	// The user edits the credential; n8n keeps the hidden token it had stored.
	const changed = spec.change(data);
	changed.server.clearRequests();
	await n8n.credentials.updateCredentials(details, spec.type, {
		...changed.data,
		sessionToken: n8n.credentials.storedData(details).sessionToken,
	});
	const second = await read(spec.type, details, String(changed.data.baseUrl), spec);

	expect(second.error).toBeUndefined();
	const sent = JSON.stringify(changed.server.requests.map((request) => [request.headers, request.rawBody, request.rawPath]));
	expect(sent).not.toContain(oldToken);
	const newToken = tokenIn(n8n.credentials.storedData(details).sessionToken);
	expect(newToken).not.toBe(oldToken);
	expect(changed.server.requests.at(-1)!.headers.authorization).toBe(`Bearer ${newToken}`);
});
