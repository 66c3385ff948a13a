/**
 * The Run:ai node and credential in a real n8n, installed from the package tarball.
 */
import { RUNAI_APP, RUNAI_AUTH_CODE, RUNAI_CLIENT, RUNAI_REDIRECT_URI } from '../../scripts/mock/runai.ts';
import { itemsOf, jsonOf, startRealN8n, stoppedWith, type RealN8n } from './n8n-cli.ts';
import { E2E_TIMEOUT, INSTALL_TIMEOUT } from './timeouts.ts';
import { chainWorkflow, items } from './workflows.ts';

const credential = { runAiApi: { id: 'tlRunAiApi000001', name: 'Run:ai API (sandbox)' } };
const clientCredentials = (clientSecret: string) => ({
	resource: 'token',
	operation: 'create',
	grantType: 'client_credentials',
	clientCredentialsFrom: 'node',
	clientId: RUNAI_CLIENT.id,
	clientSecret,
	options: {},
});

let n8n: RealN8n;

/** Token requests the credential made: the node's own calls carry the credential's Bearer token, these do not. */
const credentialTokenRequests = () =>
	n8n.mocks.mocks.runAi.server.requestsTo('/api/v1/token').filter((request) => !request.headers.authorization);

beforeAll(async () => {
	n8n = await startRealN8n();
	await n8n.importWorkflows([
		chainWorkflow('e2eRunAiLegacy', 'Run:ai before 2.20', [
			{ name: 'Create a token', type: 'runAi', parameters: { resource: 'token', operation: 'create', grantType: 'client_credentials', options: {} }, credentials: credential },
			{ name: 'Refresh it (legacy)', type: 'runAi', parameters: { resource: 'token', operation: 'refresh', refreshToken: '={{ $json.refreshToken }}' }, credentials: credential },
			{
				name: 'Exchange an authorization code (legacy)',
				type: 'runAi',
				parameters: { resource: 'token', operation: 'exchangeCode', redirectUri: RUNAI_REDIRECT_URI, code: RUNAI_AUTH_CODE },
				credentials: credential,
			},
			{
				name: 'Get an app token (legacy)',
				type: 'runAi',
				parameters: { resource: 'token', operation: 'getAppToken', applicationId: RUNAI_APP.id, applicationName: RUNAI_APP.name, applicationSecret: RUNAI_APP.secret },
				credentials: credential,
			},
		]),
		chainWorkflow('e2eRunAiFail', 'Run:ai fails', [
			{ name: 'Create with a wrong secret', type: 'runAi', parameters: clientCredentials('not-the-secret'), credentials: credential },
		]),
		chainWorkflow('e2eRunAiCof', 'Run:ai continues on fail', [
			...items([{ secret: 'not-the-secret' }, { secret: RUNAI_CLIENT.secret }]),
			{
				name: 'Create for each',
				type: 'runAi',
				parameters: clientCredentials('={{ $json.secret }}'),
				credentials: credential,
				onError: 'continueRegularOutput',
			},
		]),
	]);
}, INSTALL_TIMEOUT);

afterAll(async () => {
	await n8n?.stop();
});

const bearerOf = (token: string) => `Bearer ${token}`;

test(
	'"Run:ai: get, refresh and exchange tokens" runs Create with three grants, and the credential fetches its token once',
	async () => {
		const execution = await n8n.execute('tlExRunAiOps');
		const { runAi } = n8n.mocks.mocks;

		expect(execution.run.status).toBe('success');
		const tokens = {
			accessToken: expect.stringMatching(/^runai_at_/),
			idToken: expect.any(String),
			refreshToken: expect.stringMatching(/^runai_rt_/),
			expiresIn: 3600,
			expires_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
		};
		const [created] = jsonOf(execution, 'Create a token');
		expect(created).toEqual(tokens);
		expect(jsonOf(execution, 'Refresh it')).toEqual([tokens]);
		expect(jsonOf(execution, 'Exchange an authorization code')).toEqual([tokens]);

		const grants = runAi.server.requestsTo('/api/v1/token').filter((request) => request.headers.authorization);
		expect(grants.map((request) => request.body)).toEqual([
			{ grantType: 'client_credentials', clientID: RUNAI_CLIENT.id, clientSecret: RUNAI_CLIENT.secret },
			{ grantType: 'refresh_token', refreshToken: created.refreshToken, clientID: RUNAI_CLIENT.id },
			{ grantType: 'exchange_token', code: RUNAI_AUTH_CODE, clientID: RUNAI_CLIENT.id, redirectUri: RUNAI_REDIRECT_URI },
		]);
		// The credential asked once, with the client credentials grant, and every call sent its token.
		const [fetched] = credentialTokenRequests();
		expect(credentialTokenRequests()).toHaveLength(1);
		expect(fetched.body).toEqual({ grantType: 'client_credentials', clientID: RUNAI_CLIENT.id, clientSecret: RUNAI_CLIENT.secret });
		const issued = (fetched.response?.body as { accessToken: string }).accessToken;
		for (const call of grants) expect(call.headers.authorization).toBe(bearerOf(issued));
	},
	E2E_TIMEOUT,
);

test(
	'the three legacy calls of control planes before 2.20 send what those endpoints take',
	async () => {
		const execution = await n8n.execute('e2eRunAiLegacy');
		const { runAi } = n8n.mocks.mocks;

		expect(execution.run.status).toBe('success');
		const [created] = jsonOf(execution, 'Create a token');
		expect(jsonOf(execution, 'Refresh it (legacy)')).toEqual([
			expect.objectContaining({ accessToken: expect.stringMatching(/^runai_at_/) }),
		]);
		expect(jsonOf(execution, 'Exchange an authorization code (legacy)')).toEqual([
			expect.objectContaining({ accessToken: expect.stringMatching(/^runai_at_/) }),
		]);
		expect(jsonOf(execution, 'Get an app token (legacy)')).toEqual([
			{ access_token: expect.stringMatching(/^runai_at_/), id_token: expect.any(String), expires_at: null },
		]);

		expect(runAi.server.requestsTo('/v1/k8s/auth/oauth/tokens/refresh')[0].query.get('refresh_token')).toBe(created.refreshToken);
		const [exchange] = runAi.server.requestsTo('/v1/k8s/auth/token/exchange');
		expect(Object.fromEntries(exchange.query)).toEqual({ code: RUNAI_AUTH_CODE, redirect_uri: RUNAI_REDIRECT_URI });
		expect(runAi.server.requestsTo('/v1/k8s/auth/oauth/apptoken')[0].body).toEqual({
			id: RUNAI_APP.id,
			name: RUNAI_APP.name,
			secret: RUNAI_APP.secret,
		});
	},
	E2E_TIMEOUT,
);

test(
	'with Continue On Fail a refused grant becomes an error item, the next item still runs, and the stored token is reused',
	async () => {
		const before = credentialTokenRequests().length;
		const execution = await n8n.execute('e2eRunAiCof');

		expect(execution.run.status).toBe('success');
		const output = itemsOf(execution, 'Create for each');
		expect(output.map((item) => item.json)).toEqual([
			{ error: 'Run:ai: Invalid credentials (the client_credentials grant was refused)' },
			expect.objectContaining({ accessToken: expect.stringMatching(/^runai_at_/) }),
		]);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(output[0].error?.description).toContain('HTTP 400');
		// A new n8n process, and no new token: the credential's token came from n8n's store.
		expect(credentialTokenRequests()).toHaveLength(before);
	},
	E2E_TIMEOUT,
);

test(
	'a refused grant stops the workflow with Run:ai’s own message and never shows the secret',
	async () => {
		const execution = await n8n.execute('e2eRunAiFail');
		const error = stoppedWith(execution);

		expect(error.message).toBe('Run:ai: Invalid credentials (the client_credentials grant was refused)');
		expect(error.node.name).toBe('Create with a wrong secret');
		expect(error.description).toContain('HTTP 400');
		// n8n stores the node, parameters included, beside the error; what it shows as the error is these.
		const { message, description, errorResponse, messages, stack } = execution.run.data.resultData.error as unknown as Record<string, unknown>;
		expect(JSON.stringify({ message, description, errorResponse, messages, stack })).not.toContain('not-the-secret');
	},
	E2E_TIMEOUT,
);

test(
	'"Run:ai: any API call with the credential\'s token" lists clusters through the HTTP Request node with the credential\'s token',
	async () => {
		const execution = await n8n.execute('tlExRunAiHttp');
		expect(execution.run.status).toBe('success');
		expect(jsonOf(execution, 'List clusters')).toEqual([{ uuid: expect.any(String), name: 'gpu-cluster', version: '2.20' }]);
		const [call] = n8n.mocks.mocks.runAi.server.requestsTo('/api/v1/clusters').slice(-1);
		expect(call.response?.status).toBe(200);
		const issued = credentialTokenRequests().map((request) => (request.response?.body as { accessToken: string }).accessToken);
		expect(issued.map(bearerOf)).toContain(call.headers.authorization);
	},
	E2E_TIMEOUT,
);

test('n8n logged no warning or error while loading the package and running the workflows', () => {
	expect(n8n.problems).toEqual([]);
});
