/**
 * One token per execution, whatever the number of items. n8n's routing engine (this package's
 * nodes) and its HTTP Request node send many items' requests at once; n8n calls a credential's
 * preAuthentication for each one while its copy of the token is empty or was refused, and
 * writes the credential to its database each time that returns a token. For every
 * token-managing credential, from this package's nodes and from n8n's own HTTP Request node,
 * at 100 items: 1 token request, at most 3 credential writes and at most one 401, on first
 * use and after the token's lifetime has passed; from this package's nodes, also after the
 * server dropped the token early.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INodeCredentialsDetails, INodeType } from 'n8n-workflow';

import type { N8nHarness, RunOptions } from './harness/n8n.ts';
import { C2M_CLIENT, C2mMock } from '../scripts/mock/c2m.ts';
import { ConfluentMock } from '../scripts/mock/confluent.ts';
import { IDP_CLIENT, IdentityProviderMock } from '../scripts/mock/identityProvider.ts';
import { KNETIK_PUBLIC_CLIENT, KnetikMock } from '../scripts/mock/knetik.ts';
import { RunAiMock } from '../scripts/mock/runai.ts';
import type { MockServer, RecordedRequest } from '../scripts/mock/server.ts';
import { harnessWithEverything, serveDuringTests } from './support.ts';

/**
 * The suite, from this package's nodes, or from n8n's HTTP Request node when one is given (it
 * comes from an installed n8n: test/e2e/token-sessions-http-request.test.ts runs that half).
 */
export function tokenSessionSuite(httpRequestNode?: () => INodeType): void {
	const ITEMS = 100;

	const idp = new IdentityProviderMock();
	const confluent = new ConfluentMock();
	confluent.trustsSubjectToken = (token) => idp.issuedToken(token);
	const runai = new RunAiMock();
	const knetik = new KnetikMock();
	const c2m = new C2mMock();
	serveDuringTests([idp, confluent, runai, knetik, c2m].map((mock) => mock.server));

	let n8n: N8nHarness;
	beforeEach(() => {
		n8n = harnessWithEverything();
		if (httpRequestNode) n8n.addNodeType('n8n-nodes-base.httpRequest', httpRequestNode());
	});
	afterEach(() => {
		jest.useRealTimers();
	});

	interface Case {
		type: string;
		data: () => ICredentialDataDecryptedObject;
		/** The server whose token endpoint the credential uses, and that path. */
		tokenServer: () => MockServer;
		tokenPath: string;
		/** The server of the API calls. */
		apiServer: () => MockServer;
		/** Drops every token the API server issued, as a restart or a revocation would. */
		dropTokens: () => void;
		/** A call the credential opens, as an HTTP Request node's parameters. */
		httpRequest: () => IDataObject;
		/** The same from this package's node, where one of its operations uses the credential. */
		node?: (credentials: RunOptions['credentials']) => RunOptions;
	}

	/** A Knetik credential listing one page of tokens, from the Knetik Cloud node or the HTTP Request node. */
	function knetikCase(type: string, authentication: string, data: () => ICredentialDataDecryptedObject): Case {
		return {
			type,
			data,
			tokenServer: () => knetik.server,
			tokenPath: '/oauth/token',
			apiServer: () => knetik.server,
			dropTokens: () => knetik.expireBearerTokens(),
			httpRequest: () => ({ method: 'GET', url: `${knetik.server.url}/auth/tokens` }),
			node: (credentials) => ({
				node: 'knetikCloud',
				parameters: { authentication, resource: 'token', operation: 'getAll', limit: 1 },
				credentials,
			}),
		};
	}

	const cases: Array<[string, Case]> = [
		[
			'Knetik Cloud client credentials',
			knetikCase('knetikCloudOAuth2Api', 'clientCredentials', () => {
				const client = knetik.addAdminClient();
				return { baseUrl: knetik.server.url, clientId: client.id, clientSecret: client.secret };
			}),
		],
		[
			'Knetik Cloud password grant',
			knetikCase('knetikCloudPasswordOAuth2Api', 'password', () => {
				const user = knetik.addAdminUser();
				return { baseUrl: knetik.server.url, username: user.username, password: user.password, clientId: KNETIK_PUBLIC_CLIENT };
			}),
		],
		[
			'C2M automatic short-term token',
			{
				type: 'c2mShortTermTokenApi',
				data: () => ({ baseUrl: c2m.server.url, longTermToken: c2m.longTermToken() }),
				tokenServer: () => c2m.server,
				tokenPath: '/auth/tokens/short',
				apiServer: () => c2m.server,
				dropTokens: () => c2m.expireShortTermTokens(),
				httpRequest: () => ({
					method: 'POST',
					url: `${c2m.server.url}/auth/tokens/long`,
					sendBody: true,
					specifyBody: 'json',
					jsonBody: JSON.stringify({ grant_type: 'client_credentials', client_id: C2M_CLIENT.id }),
				}),
				node: (credentials) => ({
					node: 'c2m',
					parameters: { resource: 'token', operation: 'issueLongTerm', authentication: 'shortTermToken', clientId: C2M_CLIENT.id },
					credentials,
				}),
			},
		],
		[
			'Confluent identity pool',
			{
				type: 'confluentCloudIdentityPoolOAuth2Api',
				// A pool of its own for each test, so that no test finds another's token.
				data: () => {
					const pool = `pool-${Math.random().toString(36).slice(2)}`;
					confluent.identityPools.add(pool);
					return { idpTokenUrl: `${idp.server.url}/oauth2/token`, clientId: IDP_CLIENT.id, clientSecret: IDP_CLIENT.secret, identityPoolId: pool, baseUrl: confluent.server.url };
				},
				tokenServer: () => confluent.server,
				tokenPath: '/sts/v1/oauth2/token',
				apiServer: () => confluent.server,
				dropTokens: () => confluent.expireStsTokens(),
				httpRequest: () => ({ method: 'GET', url: `${confluent.server.url}/org/v2/environments` }),
			},
		],
		[
			'Run:ai client credentials',
			{
				type: 'runAiApi',
				data: () => {
					const client = runai.addClient();
					return { baseUrl: runai.server.url, authentication: 'clientCredentials', clientId: client.id, clientSecret: client.secret };
				},
				tokenServer: () => runai.server,
				tokenPath: '/api/v1/token',
				apiServer: () => runai.server,
				dropTokens: () => runai.expireAccessTokens(),
				httpRequest: () => ({ method: 'GET', url: `${runai.server.url}/api/v1/clusters` }),
			},
		],
	];

	const items = Array.from({ length: ITEMS }, () => ({}));

	function fromHttpRequestNode(spec: Case, details: INodeCredentialsDetails): RunOptions {
		return {
			node: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			parameters: { authentication: 'predefinedCredentialType', nodeCredentialType: spec.type, options: {}, ...spec.httpRequest() },
			credentials: { [spec.type]: details },
			items,
		};
	}

	/** Runs the node, and counts what the run cost the credential. */
	async function costOf(spec: Case, details: INodeCredentialsDetails, run: RunOptions) {
		spec.tokenServer().clearRequests();
		spec.apiServer().clearRequests();
		const writesBefore = n8n.credentials.writeCount(details);
		const result = await n8n.run(run);
		expect(result.error?.message).toBeUndefined();
		expect(result.items).toHaveLength(ITEMS);
		const refused = (request: RecordedRequest) => request.response?.status === 401;
		return {
			tokenRequests: spec.tokenServer().requestsTo(spec.tokenPath).length,
			writes: n8n.credentials.writeCount(details) - writesBefore,
			refused: spec.apiServer().requests.filter(refused).length,
		};
	}

	/** What the goal allows a run: one token request, at most three credential writes and one 401. */
	function expectWithinBudget(cost: Awaited<ReturnType<typeof costOf>>, { refusals = 0 } = {}) {
		expect(cost.tokenRequests).toBe(1);
		expect(cost.writes).toBeGreaterThanOrEqual(1);
		expect(cost.writes).toBeLessThanOrEqual(3);
		expect(cost.refused).toBe(refusals);
	}

	/** Moves the clock of this process, the mock servers' included, past every token's lifetime. */
	function letTokensExpire(): void {
		jest.useFakeTimers({ now: Date.now() + 2 * 3600_000, doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'clearImmediate', 'queueMicrotask', 'hrtime', 'performance'] });
	}

	const fromPackageNode = (spec: Case, details: INodeCredentialsDetails): RunOptions => ({
		...spec.node!({ [spec.type]: details }),
		items,
	});

	const caller: [string, typeof fromPackageNode] = httpRequestNode
		? ['n8n’s HTTP Request node', fromHttpRequestNode]
		: ['this package’s node', fromPackageNode];
	// The Confluent identity pool has no operation of its own here: the HTTP Request node's half alone.
	const casesOfCaller = cases.filter(([, spec]) => httpRequestNode || spec.node);

	describe.each(casesOfCaller)('%s', (_name, spec) => {
		describe.each([caller])('from %s', (_caller, runOf) => {
			test(`${ITEMS} items: one token on first use, and one more once its lifetime has passed`, async () => {
				const details = n8n.addCredential(spec.type, spec.data());
				expectWithinBudget(await costOf(spec, details, runOf(spec, details)));
				expect(await costOf(spec, details, runOf(spec, details))).toEqual({ tokenRequests: 0, writes: 0, refused: 0 });

				// Nothing is sent with the token once it is known to be dead: not even one 401.
				letTokensExpire();
				expectWithinBudget(await costOf(spec, details, runOf(spec, details)));
			});
		});

		if (spec.node && !httpRequestNode) {
			test(`${ITEMS} items from this package’s node: the credential is read from n8n’s database a fixed number of times per node run, not per item`, async () => {
				const details = n8n.addCredential(spec.type, spec.data());
				for (const run of ['first use', 'with its token stored']) {
					const readsBefore = n8n.credentials.readCount(details);
					await costOf(spec, details, { ...spec.node!({ [spec.type]: details }), items });
					// n8n's routing engine reads it once for the node run ($credentials); the node reads it
					// resolved, and as stored to learn whether a field is an expression resolved per item.
					expect({ run, reads: n8n.credentials.readCount(details) - readsBefore }).toEqual({ run, reads: 3 });
				}
			});

			test(`${ITEMS} items from this package’s node: after the server dropped the token, one 401 and one new token`, async () => {
				const details = n8n.addCredential(spec.type, spec.data());
				await costOf(spec, details, { ...spec.node!({ [spec.type]: details }), items });
				spec.dropTokens();
				expectWithinBudget(await costOf(spec, details, { ...spec.node!({ [spec.type]: details }), items }), { refusals: 1 });
			});
		}
	});
}
