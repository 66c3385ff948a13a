import { RunAiApi } from '../credentials/RunAiApi.credentials';
import { RunAi } from '../nodes/RunAi/RunAi.node';
import { N8nHarness } from './harness/n8n.ts';
import {
	RUNAI_APP,
	RUNAI_AUTH_CODE,
	RUNAI_CLIENT,
	RUNAI_EXTERNAL_TOKEN,
	RUNAI_REDIRECT_URI,
	RUNAI_USER,
	RunAiMock,
} from '../scripts/mock/runai.ts';
import { errorOf, everythingShown, isoInstantIn, storedToken } from './support.ts';

const runai = new RunAiMock();
const credentialType = new RunAiApi();
let n8n: N8nHarness;

beforeAll(async () => {
	await runai.server.start();
});
afterAll(async () => {
	await runai.server.stop();
});
beforeEach(() => {
	n8n = new N8nHarness([new RunAi()], [credentialType]);
	runai.server.clearRequests();
	runai.legacyEndpoints = true;
});

/** A credential with an application of its own, so that no other test's token is shared with it. */
function clientCredentials(overrides: Record<string, unknown> = {}) {
	const client = runai.addClient();
	return n8n.addCredential('runAiApi', {
		baseUrl: `${runai.server.url}/`,
		authentication: 'clientCredentials',
		clientId: client.id,
		clientSecret: client.secret,
		...overrides,
	});
}

function tokenOperation(operation: string, parameters: Record<string, unknown>, credential = clientCredentials()) {
	return {
		node: 'runAi',
		parameters: { resource: 'token', operation, ...parameters },
		credentials: { runAiApi: credential },
	};
}

const create = (parameters: Record<string, unknown>) => tokenOperation('create', parameters);

describe('Token: Create sends each grant type with the keys Run:ai spells', () => {
	test.each([
		[
			'client credentials',
			{ grantType: 'client_credentials', clientCredentialsFrom: 'node', clientId: RUNAI_CLIENT.id, clientSecret: RUNAI_CLIENT.secret },
			{ grantType: 'client_credentials', clientID: RUNAI_CLIENT.id, clientSecret: RUNAI_CLIENT.secret },
		],
		[
			'exchange token',
			{ grantType: 'exchange_token', code: RUNAI_AUTH_CODE, clientId: RUNAI_CLIENT.id, redirectUri: RUNAI_REDIRECT_URI },
			{ grantType: 'exchange_token', code: RUNAI_AUTH_CODE, clientID: RUNAI_CLIENT.id, redirectUri: RUNAI_REDIRECT_URI },
		],
		[
			'password',
			{ grantType: 'password', username: RUNAI_USER.username, password: RUNAI_USER.password },
			{ grantType: 'password', username: RUNAI_USER.username, password: RUNAI_USER.password },
		],
		[
			'external token exchange',
			{ grantType: 'external_token_exchange', externalToken: RUNAI_EXTERNAL_TOKEN },
			{ grantType: 'external_token_exchange', externalToken: RUNAI_EXTERNAL_TOKEN },
		],
		[
			'app token (legacy)',
			{ grantType: 'app_token', applicationFrom: 'node', appId: RUNAI_APP.id, appSecret: RUNAI_APP.secret },
			{ grantType: 'app_token', appID: RUNAI_APP.id, appSecret: RUNAI_APP.secret },
		],
	])('%s', async (_grant, parameters, expectedBody) => {
		const result = await n8n.run(create(parameters));

		expect(result.error).toBeUndefined();
		expect(result.items).toEqual([
			{
				json: {
					accessToken: expect.stringMatching(/^runai_at_/),
					idToken: expect.any(String),
					refreshToken: expect.stringMatching(/^runai_rt_/),
					expiresIn: 3600,
					expires_at: isoInstantIn(3600),
				},
				pairedItem: { item: 0 },
			},
		]);
		const sent = runai.server.requests.at(-1)!;
		expect(sent.method).toBe('POST');
		expect(sent.rawPath).toBe('/api/v1/token');
		expect(sent.headers['content-type']).toMatch(/^application\/json/);
		expect(sent.body).toEqual(expectedBody);
	});

	test('refresh token, with a refresh token from an earlier Create', async () => {
		const first = await n8n.run(create({ grantType: 'password', ...RUNAI_USER }));
		const refreshToken = first.items[0].json.refreshToken as string;

		const result = await n8n.run(create({ grantType: 'refresh_token', refreshToken, clientId: RUNAI_CLIENT.id }));

		expect(result.error).toBeUndefined();
		expect(result.items[0].json.accessToken).toMatch(/^runai_at_/);
		expect(runai.server.requests.at(-1)!.body).toEqual({
			grantType: 'refresh_token',
			refreshToken,
			clientID: RUNAI_CLIENT.id,
		});
	});

	test('the optional User-Agent header, and the credential’s token as Bearer', async () => {
		await n8n.run(create({ grantType: 'password', ...RUNAI_USER, options: { userAgent: 'n8n-workflow/1.0' } }));

		// The credential fetched its own token first (client credentials), then the node's call carried it.
		const [credentialToken, call] = runai.server.requests;
		expect(credentialToken.body).toEqual(expect.objectContaining({ grantType: 'client_credentials' }));
		const issued = (credentialToken.response?.body as { accessToken: string }).accessToken;
		expect(call.headers['user-agent']).toBe('n8n-workflow/1.0');
		expect(call.headers.authorization).toBe(`Bearer ${issued}`);
	});
});

describe('legacy operations', () => {
	test('Get App Token posts id, name and secret and returns Run:ai’s snake_case answer', async () => {
		const result = await n8n.run(
			tokenOperation('getAppToken', {
				applicationId: RUNAI_APP.id,
				applicationName: RUNAI_APP.name,
				applicationSecret: RUNAI_APP.secret,
			}),
		);
		expect(result.error).toBeUndefined();
		// Run:ai gives this legacy token no lifetime: its expires_at is null.
		expect(result.items[0].json).toEqual({ access_token: expect.stringMatching(/^runai_at_/), id_token: expect.any(String), expires_at: null });
		const sent = runai.server.requests.at(-1)!;
		expect(sent.rawPath).toBe('/v1/k8s/auth/oauth/apptoken');
		expect(sent.body).toEqual({ id: RUNAI_APP.id, name: RUNAI_APP.name, secret: RUNAI_APP.secret });
	});

	test('Exchange Code sends redirect_uri and code in the query, with no body', async () => {
		const result = await n8n.run(
			tokenOperation('exchangeCode', { redirectUri: RUNAI_REDIRECT_URI, code: RUNAI_AUTH_CODE }),
		);
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.accessToken).toMatch(/^runai_at_/);
		const sent = runai.server.requests.at(-1)!;
		expect(sent.method).toBe('GET');
		expect(sent.rawPath).toBe('/v1/k8s/auth/token/exchange');
		expect(Object.fromEntries(sent.query)).toEqual({ redirect_uri: RUNAI_REDIRECT_URI, code: RUNAI_AUTH_CODE });
		expect(sent.rawBody).toBe('');
	});

	test('Refresh sends refresh_token in the query, with no body', async () => {
		const { items } = await n8n.run(create({ grantType: 'password', ...RUNAI_USER }));
		const refreshToken = items[0].json.refreshToken as string;

		const result = await n8n.run(tokenOperation('refresh', { refreshToken }));

		expect(result.error).toBeUndefined();
		expect(result.items[0].json.accessToken).toMatch(/^runai_at_/);
		const sent = runai.server.requests.at(-1)!;
		expect(sent.method).toBe('POST');
		expect(sent.rawPath).toBe('/v1/k8s/auth/oauth/tokens/refresh');
		expect(Object.fromEntries(sent.query)).toEqual({ refresh_token: refreshToken });
		expect(sent.rawBody).toBe('');
	});

	test('on a 2.20+ control plane, a legacy call explains that the endpoint is gone', async () => {
		runai.legacyEndpoints = false;
		const error = errorOf(await n8n.run(tokenOperation('refresh', { refreshToken: 'runai_rt_old' })));
		expect(error.message).toBe('Run:ai: Not found: POST /v1/k8s/auth/oauth/tokens/refresh');
		expect(error.description).toContain('HTTP 404 Not Found');
		expect(error.description).toContain('exists only up to Run:ai 2.19');
	});
});

describe('errors show Run:ai’s message and details', () => {
	test('400: refused credentials, without the secret anywhere', async () => {
		const secret = 'not-the-client-secret';
		const result = await n8n.run(create({ grantType: 'client_credentials', clientCredentialsFrom: 'node', clientId: RUNAI_CLIENT.id, clientSecret: secret }));
		const error = errorOf(result);
		expect(error.message).toBe('Run:ai: Invalid credentials (the client_credentials grant was refused)');
		expect(error.description).toContain('HTTP 400 Bad Request');
		expect(everythingShown(result)).not.toContain(secret);
		expect(everythingShown(result)).not.toContain(RUNAI_CLIENT.secret);
	});

	test('a secret the provider echoes back is hidden', async () => {
		const credential = clientCredentials();
		await n8n.sendWithCredential('runAiApi', credential, { method: 'GET', url: `${runai.server.url}/api/v1/clusters` });
		runai.server.failNext(400, `password ${RUNAI_USER.password} is not accepted`);
		const result = await n8n.run(tokenOperation('create', { grantType: 'password', ...RUNAI_USER }, credential));
		expect(errorOf(result).message).toBe('Run:ai: password [redacted] is not accepted');
		expect(everythingShown(result)).not.toContain(RUNAI_USER.password);
	});

	test.each([
		[500, 'Internal error', 'HTTP 500 Internal Server Error'],
		[503, 'Service unavailable', 'Run:ai is temporarily unavailable'],
	])('%i', async (status, message, shown) => {
		// The credential gets its own token first, so that the fault hits the node's call.
		const credential = clientCredentials();
		await n8n.sendWithCredential('runAiApi', credential, { method: 'GET', url: `${runai.server.url}/api/v1/clusters` });
		runai.server.failNext(status, message);
		const error = errorOf(await n8n.run(tokenOperation('create', { grantType: 'password', ...RUNAI_USER }, credential)));
		expect(error.message).toBe(`Run:ai: ${message}`);
		expect(error.description).toContain(shown);
	});
});

describe('Create with the client credentials grant takes the client ID and secret from the credential by default', () => {
	test('sent from the credential, with nothing typed into the node', async () => {
		const client = runai.addClient();
		const credential = clientCredentials({ clientId: client.id, clientSecret: client.secret });
		const result = await n8n.run(tokenOperation('create', { grantType: 'client_credentials' }, credential));
		expect(result.error).toBeUndefined();
		const created = runai.server.requests.filter((request) => request.rawPath === '/api/v1/token').pop();
		expect(created?.body).toEqual({ grantType: 'client_credentials', clientID: client.id, clientSecret: client.secret });
	});

	test.each([
		['an access token', { authentication: 'accessToken', accessToken: 'pasted-token' }],
		['an application (2.19 and earlier)', { authentication: 'application', appId: RUNAI_APP.id, appSecret: RUNAI_APP.secret }],
	])('a credential with %s instead is refused, naming what to change, before anything is sent', async (_, fields) => {
		const credential = n8n.addCredential('runAiApi', { baseUrl: runai.server.url, ...fields });
		const error = errorOf(await n8n.run(tokenOperation('create', { grantType: 'client_credentials' }, credential)));
		expect(error.message).toBe('The Run:ai credential holds no client ID and secret');
		expect(error.description).toContain('does not use Client Credentials');
		expect(error.description).toContain('Entered in This Node');
		expect(runai.server.requests).toHaveLength(0);
	});
});

describe('bad input is refused before anything is sent', () => {
	test.each([
		['client_credentials', { clientId: RUNAI_CLIENT.id, clientSecret: '' }, 'Client Secret is set but resolved to nothing (empty text) for item 0'],
		['refresh_token', { refreshToken: ' ', clientId: RUNAI_CLIENT.id }, 'Refresh Token is required'],
		['exchange_token', { code: RUNAI_AUTH_CODE, clientId: RUNAI_CLIENT.id, redirectUri: '' }, 'Redirect URI is set but resolved to nothing (empty text) for item 0'],
		['password', { username: RUNAI_USER.username, password: '' }, 'Password is set but resolved to nothing (empty text) for item 0'],
		['external_token_exchange', { externalToken: '' }, 'External Token is set but resolved to nothing (empty text) for item 0'],
		['app_token', { appId: '', appSecret: RUNAI_APP.secret }, 'Application ID is set but resolved to nothing (empty text) for item 0'],
	])('%s', async (grantType, values, message) => {
		// Values arrive through expressions; n8n itself blocks required fields left empty in the panel.
		const parameters = Object.fromEntries(Object.keys(values).map((key) => [key, `={{ $json.${key} }}`]));
		const credential = n8n.addCredential('runAiApi', {
			baseUrl: runai.server.url,
			authentication: 'accessToken',
			accessToken: 'pasted-token',
		});
		const source = { client_credentials: { clientCredentialsFrom: 'node' }, app_token: { applicationFrom: 'node' } }[grantType] ?? {};
		const result = await n8n.run({ ...tokenOperation('create', { grantType, ...source, ...parameters }, credential), items: [values] });
		const error = errorOf(result);
		expect(error.message).toBe(message);
		expect(error.description).toMatch(/Nothing was sent to Run:ai\.$/);
		expect(runai.server.requests).toHaveLength(0);
	});
});

test('Continue On Fail keeps every item, each paired with its input', async () => {
	const result = await n8n.run({
		...create({ grantType: 'password', username: '={{ $json.username }}', password: '={{ $json.password }}' }),
		items: [RUNAI_USER, { username: RUNAI_USER.username, password: '' }, { username: 'eve', password: 'guess' }],
		continueOnFail: true,
	});
	expect(result.error).toBeUndefined();
	expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	expect(result.items[0].json.accessToken).toMatch(/^runai_at_/);
	expect(result.items[1].json.error).toBe('Password is set but resolved to nothing (empty text) for item 1');
	expect(result.items[2].json.error).toBe('Run:ai: Invalid credentials (the password grant was refused)');
	const passwordGrants = runai.server.requests.filter((r) => (r.body as { grantType?: string })?.grantType === 'password');
	expect(passwordGrants.map((r) => (r.body as { username: string }).username)).toEqual([RUNAI_USER.username, 'eve']);
});

test('Create with the app token grant takes the application ID and secret from an Application credential by default', async () => {
	const credential = n8n.addCredential('runAiApi', { baseUrl: runai.server.url, authentication: 'application', appId: RUNAI_APP.id, appSecret: RUNAI_APP.secret });
	const result = await n8n.run(tokenOperation('create', { grantType: 'app_token' }, credential));
	expect(result.error).toBeUndefined();
	const created = runai.server.requestsTo('/api/v1/token').filter((request) => request.headers.authorization);
	expect(created.map((request) => request.body)).toEqual([{ grantType: 'app_token', appID: RUNAI_APP.id, appSecret: RUNAI_APP.secret }]);

	const error = errorOf(await n8n.run(tokenOperation('create', { grantType: 'app_token' })));
	expect(error.message).toBe('The Run:ai credential holds no application ID and secret');
	expect(error.description).toBe(
		'Application ID and Secret is set to From the Credential, and the selected Run:ai credential does not use Application. Select a credential with Authentication: Application, or set Application ID and Secret to Entered in This Node. Nothing was sent.',
	);
});

describe('Run:ai API credential', () => {
	const listClusters = () => ({ method: 'GET' as const, url: `${runai.server.url}/api/v1/clusters` });
	const tokenRequests = () => runai.server.requestsTo('/api/v1/token');

	test('client credentials: one token for 30 items, reused by the next run', async () => {
		const credential = clientCredentials();
		const first = await n8n.sendWithCredential('runAiApi', credential, listClusters(), { items: 30 });

		expect(first.error).toBeUndefined();
		expect(first.items).toHaveLength(30);
		expect(tokenRequests()).toHaveLength(1);
		const issued = (tokenRequests()[0].response?.body as { accessToken: string }).accessToken;
		expect(new Set(runai.server.requestsTo('/api/v1/clusters').map((r) => r.headers.authorization))).toEqual(
			new Set([`Bearer ${issued}`]),
		);
		expect(storedToken(n8n.credentials.storedData(credential).sessionToken)).toBe(issued);

		await n8n.sendWithCredential('runAiApi', credential, listClusters(), { items: 3 });
		expect(tokenRequests()).toHaveLength(1);
	});

	test('client credentials: after 401s for an expired token, one new token serves every item', async () => {
		const credential = clientCredentials();
		await n8n.sendWithCredential('runAiApi', credential, listClusters());
		runai.expireAccessTokens();
		runai.server.clearRequests();

		const result = await n8n.sendWithCredential('runAiApi', credential, listClusters(), { items: 10 });

		expect(result.error).toBeUndefined();
		const calls = runai.server.requestsTo('/api/v1/clusters');
		expect(calls.filter((r) => r.response?.status === 401)).toHaveLength(10);
		expect(calls.filter((r) => r.response?.status === 200)).toHaveLength(10);
		expect(tokenRequests()).toHaveLength(1);
	});

	test('access token: sent as it is, nothing fetched', async () => {
		const first = await n8n.run(create({ grantType: 'password', ...RUNAI_USER }));
		const pasted = first.items[0].json.accessToken as string;
		runai.server.clearRequests();
		const credential = n8n.addCredential('runAiApi', { baseUrl: runai.server.url, authentication: 'accessToken', accessToken: pasted });

		const result = await n8n.sendWithCredential('runAiApi', credential, listClusters(), { items: 3 });

		expect(result.error).toBeUndefined();
		expect(tokenRequests()).toHaveLength(0);
		expect(runai.server.requests.map((r) => r.headers.authorization)).toEqual(Array(3).fill(`Bearer ${pasted}`));
	});

	test('application (Run:ai 2.19 and earlier): one token from the app_token grant serves every item, renewed after a 401', async () => {
		const application = runai.addApplication();
		const credential = n8n.addCredential('runAiApi', {
			baseUrl: runai.server.url,
			authentication: 'application',
			appId: application.id,
			appSecret: application.secret,
		});
		const first = await n8n.sendWithCredential('runAiApi', credential, listClusters(), { items: 5 });

		expect(first.error).toBeUndefined();
		expect(tokenRequests().map((request) => request.body)).toEqual([{ grantType: 'app_token', appID: application.id, appSecret: application.secret }]);
		const issued = (tokenRequests()[0].response?.body as { accessToken: string }).accessToken;
		expect(new Set(runai.server.requestsTo('/api/v1/clusters').map((r) => r.headers.authorization))).toEqual(new Set([`Bearer ${issued}`]));
		expect(await n8n.testCredential(credentialType, credential)).toEqual({ ok: true });

		runai.expireAccessTokens();
		runai.server.clearRequests();
		const second = await n8n.sendWithCredential('runAiApi', credential, listClusters(), { items: 3 });
		expect(second.error).toBeUndefined();
		expect(tokenRequests()).toHaveLength(1);
	});

	test('application: a refused secret shows Run:ai’s message without the secret', async () => {
		const secret = 'stale-application-secret';
		const credential = n8n.addCredential('runAiApi', { baseUrl: runai.server.url, authentication: 'application', appId: RUNAI_APP.id, appSecret: secret });
		const result = await n8n.sendWithCredential('runAiApi', credential, listClusters());
		expect(errorOf(result).message).toBe('The credential could not get an access token. Run:ai: Invalid credentials (the app_token grant was refused)');
		expect(everythingShown(result)).not.toContain(secret);
	});

	test('its test request lists clusters, and a refused secret shows Run:ai’s message without the secret', async () => {
		expect(await n8n.testCredential(credentialType, clientCredentials())).toEqual({ ok: true });
		expect(runai.server.requests.at(-1)!.rawPath).toBe('/api/v1/clusters');

		const secret = 'stale-client-secret';
		const result = await n8n.sendWithCredential('runAiApi', clientCredentials({ clientSecret: secret }), listClusters());
		const error = errorOf(result);
		expect(error.message).toBe(
			'The credential could not get an access token. Run:ai: Invalid credentials (the client_credentials grant was refused)',
		);
		expect(everythingShown(result)).not.toContain(secret);
		expect(runai.server.requestsTo('/api/v1/clusters')).toHaveLength(1);
	});
});
