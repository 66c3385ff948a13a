/**
 * The Knetik Cloud node and both its credentials in a real n8n, installed from the package tarball.
 */
import { KNETIK_ADMIN_CLIENT, KNETIK_ADMIN_USER } from '../../scripts/mock/knetik.ts';
import { itemsOf, jsonOf, startRealN8n, stoppedWith, type RealN8n } from './n8n-cli.ts';
import { E2E_TIMEOUT, INSTALL_TIMEOUT } from './timeouts.ts';
import { chainWorkflow, items } from './workflows.ts';

const oauth2 = { knetikCloudOAuth2Api: { id: 'tlKnetikOAuth201', name: 'Knetik Cloud OAuth2 API (sandbox)' } };
const password = { knetikCloudPasswordOAuth2Api: { id: 'tlKnetikPasswd01', name: 'Knetik Cloud Password OAuth2 API (sandbox)' } };

let n8n: RealN8n;

const tokenRequests = (grant: string) =>
	n8n.mocks.mocks.knetik.server.requestsTo('/oauth/token').filter((request) => (request.body as { grant_type: string }).grant_type === grant);

beforeAll(async () => {
	n8n = await startRealN8n();
	await n8n.importWorkflows([
		chainWorkflow('e2eKnetikFail', 'Knetik Cloud fails', [
			{
				name: 'Read a token nobody has',
				type: 'knetikCloud',
				parameters: { authentication: 'password', operation: 'get', username: 'nobody', clientId: 'web' },
				credentials: password,
			},
		]),
		chainWorkflow('e2eKnetikCof', 'Knetik Cloud continues on fail', [
			...items([{ username: 'nobody' }, { username: 'ada' }]),
			{
				name: 'Read each (client credentials)',
				type: 'knetikCloud',
				parameters: { authentication: 'clientCredentials', operation: 'get', username: '={{ $json.username }}', clientId: 'client-0' },
				credentials: oauth2,
				onError: 'continueRegularOutput',
			},
			{
				name: 'List one (password)',
				type: 'knetikCloud',
				parameters: { authentication: 'password', operation: 'getAll', limit: 1, filters: {}, sort: {} },
				credentials: password,
				executeOnce: true,
			},
		]),
	]);
}, INSTALL_TIMEOUT);

afterAll(async () => {
	await n8n?.stop();
});

test(
	'"Knetik Cloud: every operation" lists, reads and deletes, with a token the OAuth2 credential fetched',
	async () => {
		const { knetik } = n8n.mocks.mocks;
		const execution = await n8n.execute('tlExKnetikOps');

		expect(execution.run.status).toBe('success');
		const listed = jsonOf(execution, 'List stored tokens');
		expect(listed).toHaveLength(10);
		expect(listed[0]).toEqual({ username: 'ada', client_id: 'client-0', token: null });
		expect(jsonOf(execution, 'Read one token')).toEqual([{ username: 'ada', client_id: 'client-3', token: 'stored-ada-3' }]);
		expect(jsonOf(execution, 'Delete it')).toEqual([{ deleted: true, username: 'ada', client_id: 'client-3' }]);
		expect(knetik.stored.some((token) => token.username === 'ada' && token.client_id === 'client-3')).toBe(false);

		const [list] = knetik.server.requestsTo('/auth/tokens').filter((request) => request.method === 'GET');
		expect(list.query.get('order')).toBe('username:ASC');
		expect(tokenRequests('client_credentials')).toHaveLength(1);
		expect(tokenRequests('client_credentials')[0].body).toEqual(
			expect.objectContaining({ client_id: KNETIK_ADMIN_CLIENT.id, client_secret: KNETIK_ADMIN_CLIENT.secret }),
		);
	},
	E2E_TIMEOUT,
);

test(
	'"Purge all of a user’s tokens" lists every page of the user’s tokens, then deletes them in one call with the password credential',
	async () => {
		const { knetik } = n8n.mocks.mocks;
		const execution = await n8n.execute('tlExKnetikPurge');

		expect(execution.run.status).toBe('success');
		expect(jsonOf(execution, 'Their stored tokens')).toHaveLength(69);
		expect(jsonOf(execution, 'Delete them all')).toEqual([{ deleted: true, username: 'bob', client_id: null }]);
		expect(knetik.stored.filter((token) => token.username === 'bob')).toEqual([]);
		const deletes = knetik.server.requestsTo('/auth/tokens').filter((request) => request.method === 'DELETE');
		expect(Object.fromEntries(deletes.at(-1)?.query ?? [])).toEqual({ username: 'bob' });
		expect(tokenRequests('password')).toHaveLength(1);
		expect(tokenRequests('password')[0].body).toEqual(
			expect.objectContaining({ username: KNETIK_ADMIN_USER.username, password: KNETIK_ADMIN_USER.password }),
		);
	},
	E2E_TIMEOUT,
);

test(
	'with Continue On Fail a missing token becomes an error item, the next item still runs, and both credentials reuse their stored tokens',
	async () => {
		const execution = await n8n.execute('e2eKnetikCof');

		expect(execution.run.status).toBe('success');
		const output = itemsOf(execution, 'Read each (client credentials)');
		expect(output.map((item) => item.json)).toEqual([
			{ error: 'Knetik Cloud: Token not found' },
			{ username: 'ada', client_id: 'client-0', token: 'stored-ada-0' },
		]);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(output[0].error?.description).toContain('HTTP 404');
		expect(jsonOf(execution, 'List one (password)')).toHaveLength(1);
		// A new n8n process for each execution: the tokens can only have come from n8n's store.
		expect(tokenRequests('client_credentials')).toHaveLength(1);
		expect(tokenRequests('password')).toHaveLength(1);
	},
	E2E_TIMEOUT,
);

test(
	'a missing token stops the workflow with Knetik’s own message and request ID',
	async () => {
		const execution = await n8n.execute('e2eKnetikFail');
		const error = stoppedWith(execution);
		const [request] = n8n.mocks.mocks.knetik.server.requestsTo('/auth/tokens/nobody/web');

		expect(error.message).toBe('Knetik Cloud: Token not found');
		expect(error.node.name).toBe('Read a token nobody has');
		expect(error.description).toContain('HTTP 404');
		expect(error.description).toContain((request.response?.body as { request_id: string }).request_id);
	},
	E2E_TIMEOUT,
);

test(
	'"Knetik Cloud: any API call with the credential\'s token" lists stored tokens through the HTTP Request node',
	async () => {
		const { knetik } = n8n.mocks.mocks;
		const execution = await n8n.execute('tlExKnetikHttp');

		expect(execution.run.status).toBe('success');
		const tokens = jsonOf(execution, 'One item per token');
		expect(tokens.length).toBeGreaterThan(1);
		expect(tokens[0]).toEqual(expect.objectContaining({ username: expect.any(String), client_id: expect.any(String) }));
		const [call] = knetik.server.requestsTo('/auth/tokens').slice(-1);
		expect(call.response?.status).toBe(200);
		const issued = tokenRequests('client_credentials').map((request) => `Bearer ${(request.response?.body as { access_token: string }).access_token}`);
		expect(issued).toContain(call.headers.authorization);
	},
	E2E_TIMEOUT,
);

test('n8n logged no warning or error while loading the package and running the workflows', () => {
	expect(n8n.problems).toEqual([]);
});
