/**
 * What token-managing credentials cost a real n8n per execution: token requests, credential
 * writes to n8n's database, and 401s, from this package's nodes and from n8n's HTTP Request
 * node. Each caller gets a credential and a mock server of its own, so that the counts cannot
 * mix; all callers are nodes of one workflow, so one `n8n execute` measures them all. Used by
 * test/e2e/token-cost.test.ts and `npm run bench`.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';

import type { CredentialExport } from '../../scripts/mocks.ts';
import { N8N_HOME } from '../../scripts/n8n.ts';
import { C2M_CLIENT, C2mMock } from '../../scripts/mock/c2m.ts';
import { ConfluentMock } from '../../scripts/mock/confluent.ts';
import { IDP_CLIENT, IdentityProviderMock } from '../../scripts/mock/identityProvider.ts';
import { KNETIK_ADMIN_CLIENT, KNETIK_ADMIN_USER, KNETIK_PUBLIC_CLIENT, KnetikMock } from '../../scripts/mock/knetik.ts';
import { RUNAI_CLIENT, RunAiMock } from '../../scripts/mock/runai.ts';
import type { MockResponse, MockServer } from '../../scripts/mock/server.ts';
import { itemsOf, type RealN8n } from './n8n-cli.ts';
import { chainWorkflow, httpRequest, items, type NodeSpec } from './workflows.ts';

export interface Cost {
	tokenRequests: number;
	writes: number;
	refused: number;
}

export interface CallerCost {
	caller: string;
	credentialType: string;
	firstUse: Cost;
	/** The next execution, after the server dropped every token it had issued. */
	afterServerDroppedToken: Cost;
	/** An execution whose token endpoint refuses the credential (400 invalid_grant). */
	refusedCredential: Cost;
	/** An execution whose token endpoint issues tokens already expired (a lifetime of 0). */
	expiredOnIssue: Cost;
}

interface Caller {
	caller: string;
	credentialType: string;
	/** Starts the caller's own mock servers, and says how to use them. */
	start(): Promise<{
		servers: MockServer[];
		data: Record<string, unknown>;
		/** The server and path of the token requests, and the server of the API calls. */
		tokens: [MockServer, string];
		/** What the token endpoint answers when it issues a token already expired. */
		expired: MockResponse;
		api: MockServer;
		node: (credentials: NodeSpec['credentials']) => Omit<NodeSpec, 'name'>;
		dropTokens: () => void;
	}>;
}

/** The HTTP Request node calling `url` with whichever credential the run gives it. */
const httpCall =
	(url: string, parameters: Record<string, unknown> = {}) =>
	(credentials: NodeSpec['credentials']) =>
		httpRequest('HTTP Request', url, credentials ?? {}, parameters);

async function knetik() {
	const mock = new KnetikMock();
	await mock.server.start();
	const expired = { status: 200, body: { access_token: 'expired-on-issue', token_type: 'bearer', expires_in: 0 } };
	return { mock, servers: [mock.server], tokens: [mock.server, '/oauth/token'] as [MockServer, string], expired, api: mock.server, dropTokens: () => mock.expireBearerTokens() };
}

async function c2m() {
	const mock = new C2mMock();
	await mock.server.start();
	// A lifetime of 0: expired whatever the expires_at, which counts 5 minutes later for clock skew.
	const expired = {
		status: 201,
		body: { token_type: 'Bearer', access_token: 'expired-on-issue', expires_in: 0, expires_at: new Date().toISOString(), token_id: 'tok_st_expired' },
	};
	return { mock, servers: [mock.server], tokens: [mock.server, '/auth/tokens/short'] as [MockServer, string], expired, api: mock.server, dropTokens: () => mock.expireShortTermTokens() };
}

const knetikClientCredentials = (url: string) => ({ baseUrl: url, clientId: KNETIK_ADMIN_CLIENT.id, clientSecret: KNETIK_ADMIN_CLIENT.secret });
const knetikPassword = (url: string) => ({ baseUrl: url, username: KNETIK_ADMIN_USER.username, password: KNETIK_ADMIN_USER.password, clientId: KNETIK_PUBLIC_CLIENT });
const knetikGetAll = (authentication: string) => (credentials: NodeSpec['credentials']) => ({
	type: 'knetikCloud',
	parameters: { authentication, resource: 'token', operation: 'getAll', limit: 1 },
	credentials,
});
const issueLongTerm = (credentials: NodeSpec['credentials']) => ({
	type: 'c2m',
	parameters: { resource: 'token', operation: 'issueLongTerm', authentication: 'shortTermToken', clientId: C2M_CLIENT.id },
	credentials,
});

const CALLERS: Caller[] = [
	{
		caller: 'Knetik Cloud node',
		credentialType: 'knetikCloudOAuth2Api',
		start: async () => {
			const k = await knetik();
			return { ...k, data: knetikClientCredentials(k.mock.server.url), node: knetikGetAll('clientCredentials') };
		},
	},
	{
		caller: 'Knetik Cloud node',
		credentialType: 'knetikCloudPasswordOAuth2Api',
		start: async () => {
			const k = await knetik();
			return { ...k, data: knetikPassword(k.mock.server.url), node: knetikGetAll('password') };
		},
	},
	{
		caller: 'C2M node',
		credentialType: 'c2mShortTermTokenApi',
		start: async () => {
			const c = await c2m();
			return { ...c, data: { baseUrl: c.mock.server.url, longTermToken: c.mock.longTermToken() }, node: issueLongTerm };
		},
	},
	{
		caller: 'HTTP Request node',
		credentialType: 'knetikCloudOAuth2Api',
		start: async () => {
			const k = await knetik();
			return {
				...k,
				data: knetikClientCredentials(k.mock.server.url),
				node: httpCall(`${k.mock.server.url}/auth/tokens?size=1`),
			};
		},
	},
	{
		caller: 'HTTP Request node',
		credentialType: 'knetikCloudPasswordOAuth2Api',
		start: async () => {
			const k = await knetik();
			return {
				...k,
				data: knetikPassword(k.mock.server.url),
				node: httpCall(`${k.mock.server.url}/auth/tokens?size=1`),
			};
		},
	},
	{
		caller: 'HTTP Request node',
		credentialType: 'c2mShortTermTokenApi',
		start: async () => {
			const c = await c2m();
			return {
				...c,
				data: { baseUrl: c.mock.server.url, longTermToken: c.mock.longTermToken() },
				node: httpCall(`${c.mock.server.url}/auth/tokens/long`, {
					method: 'POST',
					sendBody: true,
					specifyBody: 'json',
					jsonBody: JSON.stringify({ grant_type: 'client_credentials', client_id: C2M_CLIENT.id }),
				}),
			};
		},
	},
	{
		caller: 'HTTP Request node',
		credentialType: 'confluentCloudIdentityPoolOAuth2Api',
		start: async () => {
			const idp = new IdentityProviderMock();
			const confluent = new ConfluentMock();
			confluent.trustsSubjectToken = (token) => idp.issuedToken(token);
			await Promise.all([idp.server.start(), confluent.server.start()]);
			return {
				servers: [idp.server, confluent.server],
				tokens: [confluent.server, '/sts/v1/oauth2/token'] as [MockServer, string],
				expired: {
					status: 200,
					body: { access_token: 'expired-on-issue', issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer', expires_in: 0 },
				},
				api: confluent.server,
				dropTokens: () => confluent.expireStsTokens(),
				data: {
					idpTokenUrl: `${idp.server.url}/oauth2/token`,
					clientId: IDP_CLIENT.id,
					clientSecret: IDP_CLIENT.secret,
					identityPoolId: [...confluent.identityPools][0],
					baseUrl: confluent.server.url,
				},
				node: httpCall(`${confluent.server.url}/org/v2/environments?page_size=1`),
			};
		},
	},
	{
		// Last: the clusters come back as an array, which the HTTP Request node splits into items.
		caller: 'HTTP Request node',
		credentialType: 'runAiApi',
		start: async () => {
			const mock = new RunAiMock();
			await mock.server.start();
			return {
				servers: [mock.server],
				tokens: [mock.server, '/api/v1/token'] as [MockServer, string],
				expired: { status: 200, body: { accessToken: 'expired-on-issue', expiresIn: 0 } },
				api: mock.server,
				dropTokens: () => mock.expireAccessTokens(),
				data: { baseUrl: mock.server.url, authentication: 'clientCredentials', clientId: RUNAI_CLIENT.id, clientSecret: RUNAI_CLIENT.secret },
				node: httpCall(`${mock.server.url}/api/v1/clusters`),
			};
		},
	},
];

interface Database {
	exec(sql: string, callback: (error: Error | null) => void): void;
	get(sql: string, params: unknown[], callback: (error: Error | null, row: { writes: number }) => void): void;
	close(callback: () => void): void;
}

/** n8n's SQLite database, with a trigger that counts every update of a credential. */
async function countingDatabase(userFolder: string): Promise<Database> {
	const sqlite3 = createRequire(join(N8N_HOME, 'node_modules', 'n8n', 'package.json'))('sqlite3') as {
		Database: new (file: string) => Database;
	};
	const db = new sqlite3.Database(join(userFolder, '.n8n', 'database.sqlite'));
	await new Promise<void>((resolve, reject) =>
		db.exec(
			`CREATE TABLE IF NOT EXISTS credential_writes (id TEXT);
			 CREATE TRIGGER IF NOT EXISTS count_credential_writes AFTER UPDATE ON credentials_entity
			 BEGIN INSERT INTO credential_writes VALUES (NEW.id); END;`,
			(error) => (error ? reject(error) : resolve()),
		),
	);
	return db;
}

async function writesOf(db: Database, credentialId: string): Promise<number> {
	return await new Promise((resolve, reject) =>
		db.get('SELECT COUNT(*) AS writes FROM credential_writes WHERE id = ?', [credentialId], (error, row) =>
			error ? reject(error) : resolve(row.writes),
		),
	);
}

/**
 * Runs one workflow with `itemCount` items through every caller twice, on first use and after
 * every server dropped its tokens, each execution a new n8n process as `n8n execute` makes.
 */
export async function measureTokenCosts(n8n: RealN8n, itemCount: number): Promise<CallerCost[]> {
	const started = await Promise.all(CALLERS.map(async (caller) => ({ caller, ...(await caller.start()) })));
	const db = await countingDatabase(n8n.userFolder);
	try {
		const tag = String(itemCount).padStart(6, '0');
		const credentials: CredentialExport[] = started.map((entry, index) => ({
			id: `tlCost${tag}c${String(index).padStart(3, '0')}`,
			name: `Token cost ${tag} ${index}`,
			type: entry.caller.credentialType,
			data: entry.data,
		}));
		await n8n.importCredentials(credentials);
		const workflowId = `tlCostWf${tag}00`;
		const entries = Array.from({ length: itemCount }, (_, index) => ({ index: String(index) }));
		await n8n.importWorkflows([
			chainWorkflow(workflowId, `Token cost, ${itemCount} items`, [
				...items(entries),
				...started.map((entry, index) => ({
					...entry.node({ [credentials[index].type]: { id: credentials[index].id, name: credentials[index].name } }),
					name: `${entry.caller.caller} ${index}`,
					// Each caller runs whatever the one before it met.
					onError: 'continueRegularOutput' as const,
				})),
			]),
		]);

		/** Runs the workflow; every item of every caller succeeds, or (`failing`) fails. */
		const execute = async (failing = false): Promise<Cost[]> => {
			for (const { servers } of started) for (const server of servers) server.clearRequests();
			const before = await Promise.all(credentials.map(async (credential) => await writesOf(db, credential.id)));
			const execution = await n8n.execute(workflowId);
			const failure = execution.run.data.resultData.error?.message;
			if (failure) throw new Error(`The token-cost workflow failed: ${failure}`);
			for (const index of started.keys()) {
				const failed = itemsOf(execution, `${started[index].caller.caller} ${index}`).filter((item) => 'error' in item.json);
				if (failed.length !== (failing ? itemCount : 0)) {
					throw new Error(`${started[index].caller.caller} ${index}: ${failed.length} of ${itemCount} items failed: ${JSON.stringify(failed[0]?.json)}`);
				}
			}
			return await Promise.all(
				started.map(async ({ tokens: [tokenServer, tokenPath], api }, index) => ({
					tokenRequests: tokenServer.requestsTo(tokenPath).length,
					writes: (await writesOf(db, credentials[index].id)) - before[index],
					refused: api.requests.filter((request) => request.response?.status === 401).length,
				})),
			);
		};
		const firstUse = await execute();
		for (const { dropTokens } of started) dropTokens();
		const afterDrop = await execute();
		// Each with no stored token (the credentials imported again), so that every caller asks for one.
		const withTokenEndpoint = async (answer: (entry: (typeof started)[number]) => MockResponse) => {
			await n8n.importCredentials(credentials);
			for (const entry of started) {
				const [server, path] = entry.tokens;
				server.answerWhen((request) => request.rawPath === path, answer(entry));
			}
			try {
				return await execute(true);
			} finally {
				for (const { tokens } of started) tokens[0].clearFaults();
			}
		};
		const refused = await withTokenEndpoint(({ tokens: [server] }) => server.error(400, 'The credential was refused', 'invalid_grant'));
		const expired = await withTokenEndpoint((entry) => entry.expired);
		return started.map(({ caller }, index) => ({
			caller: caller.caller,
			credentialType: caller.credentialType,
			firstUse: firstUse[index],
			afterServerDroppedToken: afterDrop[index],
			refusedCredential: refused[index],
			expiredOnIssue: expired[index],
		}));
	} finally {
		await new Promise<void>((resolve) => db.close(resolve));
		await Promise.all(started.flatMap(({ servers }) => servers.map(async (server) => await server.stop())));
	}
}
