import { KnetikCloudOAuth2Api } from '../credentials/KnetikCloudOAuth2Api.credentials';
import { KnetikCloudPasswordOAuth2Api } from '../credentials/KnetikCloudPasswordOAuth2Api.credentials';
import { KnetikCloud } from '../nodes/KnetikCloud/KnetikCloud.node';
import { N8nHarness, type RunOptions } from './harness/n8n.ts';
import {
	KNETIK_PLAIN_CLIENT,
	KNETIK_PUBLIC_CLIENT,
	KnetikMock,
	seedTokens,
} from '../scripts/mock/knetik.ts';
import { errorOf, everythingShown, storedToken, credentialSays } from './support.ts';

const knetik = new KnetikMock();
const clientCredentialsType = new KnetikCloudOAuth2Api();
const passwordType = new KnetikCloudPasswordOAuth2Api();
let n8n: N8nHarness;

beforeAll(async () => {
	await knetik.server.start();
});
afterAll(async () => {
	await knetik.server.stop();
});
beforeEach(() => {
	n8n = new N8nHarness([new KnetikCloud()], [clientCredentialsType, passwordType]);
	knetik.server.clearRequests();
	knetik.stored = seedTokens();
	knetik.expiresInAsString = true;
});

/** A client-credentials credential with an admin client of its own (no token shared with other tests). */
function clientCredentials(client = knetik.addAdminClient()) {
	return n8n.addCredential('knetikCloudOAuth2Api', {
		baseUrl: `${knetik.server.url}/`,
		clientId: client.id,
		clientSecret: client.secret,
	});
}

/** A password credential with an admin user of its own, on Knetik's public client. */
function passwordCredential(overrides: Record<string, unknown> = {}) {
	const user = knetik.addAdminUser();
	return n8n.addCredential('knetikCloudPasswordOAuth2Api', {
		baseUrl: knetik.server.url,
		username: user.username,
		password: user.password,
		clientId: KNETIK_PUBLIC_CLIENT,
		...overrides,
	});
}

function tokens(operation: string, parameters: Record<string, unknown> = {}): RunOptions {
	return {
		node: 'knetikCloud',
		parameters: { authentication: 'clientCredentials', resource: 'token', operation, ...parameters },
		credentials: { knetikCloudOAuth2Api: clientCredentials() },
	};
}

const adminCalls = () => knetik.server.requests.filter((r) => r.rawPath.startsWith('/auth/tokens'));

describe('Token: Get', () => {
	test('reads the token of a username and client ID pair', async () => {
		const result = await n8n.run(tokens('get', { username: 'ada', clientId: 'client-1' }));
		expect(result.error).toBeUndefined();
		expect(result.items).toEqual([
			{ json: { username: 'ada', client_id: 'client-1', token: 'stored-ada-1' }, pairedItem: { item: 0 } },
		]);
		const [call] = adminCalls();
		expect(call.method).toBe('GET');
		expect(call.rawPath).toBe('/auth/tokens/ada/client-1');
		expect(call.headers.authorization).toMatch(/^Bearer knetik_/);
	});

	test('URL-encodes "/", "?", "#", "%" and spaces in both path parameters', async () => {
		const result = await n8n.run(tokens('get', { username: 'eve/../a?b#c %d', clientId: 'app/1?x#y %z' }));
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.token).toBe('stored-odd');
		expect(adminCalls()[0].rawPath).toBe('/auth/tokens/eve%2F..%2Fa%3Fb%23c%20%25d/app%2F1%3Fx%23y%20%25z');
	});

	test.each([
		['username', '.'],
		['username', '..'],
		['clientId', '.'],
		['clientId', '..'],
	])('refuses %s "%s", which URL parsers would fold away, before sending', async (field, value) => {
		const parameters = { username: 'ada', clientId: 'client-1', [field]: value };
		const error = errorOf(await n8n.run(tokens('get', parameters)));
		const label = field === 'username' ? 'Username' : 'Client ID';
		expect(error.message).toBe(`${label} cannot be "." or "..": the request would go to a different address`);
		expect(error.description).toContain('Nothing was sent to Knetik Cloud');
		expect(knetik.server.requests).toHaveLength(0);
	});

	test('an unknown pair shows Knetik’s message and request ID', async () => {
		const error = errorOf(await n8n.run(tokens('get', { username: 'ada', clientId: 'nope' })));
		const requestId = (adminCalls()[0].response?.body as { request_id: string }).request_id;
		expect(error.message).toBe('Knetik Cloud: Token not found');
		expect(error.description).toContain('HTTP 404 Not Found');
		expect(error.description).toContain(`Request ID: ${requestId}.`);
	});
});

describe('Token: Get Many', () => {
	const pages = () => adminCalls().map((call) => Object.fromEntries(call.query));

	test('Return All walks every page and emits one item per token', async () => {
		const result = await n8n.run(tokens('getAll', { returnAll: true }));

		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(230);
		expect(result.items[0]).toEqual({ json: { username: 'ada', client_id: 'client-0', token: null }, pairedItem: { item: 0 } });
		expect(result.items.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
		expect(pages()).toEqual([
			{ page: '1', size: '100' },
			{ page: '2', size: '100' },
			{ page: '3', size: '100' },
		]);
	});

	test('a Limit smaller than a page asks for one page of that size', async () => {
		const result = await n8n.run(tokens('getAll', { returnAll: false, limit: 7 }));
		expect(result.items).toHaveLength(7);
		expect(pages()).toEqual([{ page: '1', size: '7' }]);
	});

	test('a Limit spanning pages stops as soon as it has enough', async () => {
		const result = await n8n.run(tokens('getAll', { returnAll: false, limit: 150 }));
		expect(result.items).toHaveLength(150);
		expect(pages()).toEqual([
			{ page: '1', size: '100' },
			{ page: '2', size: '100' },
		]);
		// The first 150 tokens, in the order Knetik lists them.
		const expected = seedTokens().slice(0, 150).map(({ username, client_id }) => ({ username, client_id, token: null }));
		expect(result.items.map((item) => item.json)).toEqual(expected);
	});

	test('an empty result gives no items after one request', async () => {
		const result = await n8n.run(tokens('getAll', { returnAll: true, filters: { username: 'nobody' } }));
		expect(result.error).toBeUndefined();
		expect(result.items).toEqual([]);
		expect(pages()).toEqual([{ page: '1', size: '100', filter_username: 'nobody' }]);
	});

	test('sends the filters and the sort rules in priority order as Knetik documents them', async () => {
		const result = await n8n.run(
			tokens('getAll', {
				returnAll: true,
				filters: { username: 'ada', clientId: 'client-1' },
				sort: {
					order: [
						{ property: 'username', direction: 'DESC' },
						{ property: 'client_id', direction: 'ASC' },
					],
				},
			}),
		);
		expect(result.items).toHaveLength(40);
		expect(pages()).toEqual([
			{
				filter_username: 'ada',
				filter_client_id: 'client-1',
				order: 'username:DESC,client_id:ASC',
				page: '1',
				size: '100',
			},
		]);
	});

	test('each input item gets its own list, paired with it', async () => {
		const result = await n8n.run({
			...tokens('getAll', { returnAll: true, filters: { username: '={{ $json.user }}' } }),
			items: [{ user: 'bob' }, { user: 'ada' }],
		});
		expect(result.items).toHaveLength(69 + 160);
		expect(result.items.slice(0, 69).every((item) => item.json.username === 'bob' && (item.pairedItem as { item: number }).item === 0)).toBe(true);
		expect(result.items.slice(69).every((item) => item.json.username === 'ada' && (item.pairedItem as { item: number }).item === 1)).toBe(true);
	});

	test('a sort property Knetik does not know shows its message', async () => {
		const error = errorOf(await n8n.run(tokens('getAll', { sort: { order: [{ property: 'name', direction: 'ASC' }] } })));
		expect(error.message).toBe('Knetik Cloud: order: Invalid sort "name:ASC"');
		expect(error.description).toContain('HTTP 400 Bad Request');
	});
});

describe('Token: Delete', () => {
	test.each([
		['a username', { username: 'bob', clientId: '' }, { username: 'bob' }, { deleted: true, username: 'bob', client_id: null }, 161],
		['a client ID', { username: '', clientId: 'client-2' }, { client_id: 'client-2' }, { deleted: true, username: null, client_id: 'client-2' }, 190],
		['both', { username: 'ada', clientId: 'client-3' }, { username: 'ada', client_id: 'client-3' }, { deleted: true, username: 'ada', client_id: 'client-3' }, 190],
	])('by %s: sends only what was given and says what was deleted', async (_case, parameters, query, output, left) => {
		const result = await n8n.run(tokens('delete', parameters));
		expect(result.error).toBeUndefined();
		expect(result.items).toEqual([{ json: output, pairedItem: { item: 0 } }]);
		const [call] = adminCalls();
		expect(call.method).toBe('DELETE');
		expect(call.rawPath).toBe('/auth/tokens');
		expect(Object.fromEntries(call.query)).toEqual(query);
		expect(call.response?.status).toBe(204);
		expect(knetik.stored).toHaveLength(left);
	});

	test('with neither username nor client ID, nothing is sent', async () => {
		const error = errorOf(await n8n.run(tokens('delete', { username: '', clientId: ' ' })));
		expect(error.message).toBe('Username or Client ID is required: Knetik does not document deleting with neither');
		expect(knetik.server.requests).toHaveLength(0);
	});
});

test('403: a client without TOKENS_ADMIN is told which permission it lacks', async () => {
	const error = errorOf(
		await n8n.run({ ...tokens('getAll'), credentials: { knetikCloudOAuth2Api: clientCredentials(KNETIK_PLAIN_CLIENT) } }),
	);
	expect(error.message).toBe('Knetik Cloud: Permission TOKENS_ADMIN required');
	expect(error.description).toContain('HTTP 403 Forbidden');
	expect(error.description).toContain('needs the TOKENS_ADMIN permission');
});

test('Continue On Fail keeps every item, each paired with its input', async () => {
	const result = await n8n.run({
		...tokens('get', { username: '={{ $json.user }}', clientId: 'client-1' }),
		items: [{ user: 'ada' }, { user: '..' }, { user: 'nobody' }],
		continueOnFail: true,
	});
	expect(result.error).toBeUndefined();
	expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	expect(result.items[0].json.token).toBe('stored-ada-1');
	expect(result.items[1].json.error).toMatch(/^Username cannot be "\." or "\.\."/);
	expect(result.items[2].json.error).toBe('Knetik Cloud: Token not found');
	expect(adminCalls().map((call) => call.rawPath)).toEqual(['/auth/tokens/ada/client-1', '/auth/tokens/nobody/client-1']);
});

describe('Knetik Cloud OAuth2 credential (client credentials)', () => {
	const tokenRequests = () => knetik.server.requestsTo('/oauth/token');

	test('the credential fetches the token from <base URL>/oauth/token, stores it, and a later run reuses it', async () => {
		const credential = clientCredentials();
		const first = await n8n.run({ ...tokens('get', { username: 'ada', clientId: 'client-1' }), credentials: { knetikCloudOAuth2Api: credential } });
		expect(first.error).toBeUndefined();
		expect(tokenRequests()).toHaveLength(1);
		const stored = n8n.credentials.storedData(credential);
		expect(tokenRequests()[0].body).toEqual({
			grant_type: 'client_credentials',
			client_id: stored.clientId,
			client_secret: stored.clientSecret,
		});
		const issued = (tokenRequests()[0].response?.body as { access_token: string }).access_token;
		expect(storedToken(stored.sessionToken)).toBe(issued);

		await n8n.run({ ...tokens('getAll', { limit: 3 }), credentials: { knetikCloudOAuth2Api: credential } });
		expect(tokenRequests()).toHaveLength(1);
		expect(adminCalls().at(-1)!.headers.authorization).toBe(`Bearer ${issued}`);
	});

	test('after Knetik answers 401, n8n fetches a new token and resends', async () => {
		const credential = clientCredentials();
		await n8n.run({ ...tokens('getAll', { limit: 1 }), credentials: { knetikCloudOAuth2Api: credential } });
		knetik.expireBearerTokens();
		knetik.server.clearRequests();

		const result = await n8n.run({ ...tokens('getAll', { limit: 1 }), credentials: { knetikCloudOAuth2Api: credential } });

		expect(result.error).toBeUndefined();
		expect(adminCalls().map((call) => call.response?.status)).toEqual([401, 200]);
		expect(tokenRequests()).toHaveLength(1);
	});

	test('one token request serves all items, the first time too', async () => {
		const credential = clientCredentials();
		const result = await n8n.run({
			...tokens('get', { username: 'ada', clientId: 'client-1' }),
			credentials: { knetikCloudOAuth2Api: credential },
			items: Array.from({ length: 20 }, () => ({})),
		});
		expect(result.items).toHaveLength(20);
		expect(tokenRequests()).toHaveLength(1);
	});

	test('a refused client secret shows Knetik’s own words, never the secret', async () => {
		const secret = 'rotated-away-secret';
		const result = await n8n.run({
			...tokens('get', { username: 'ada', clientId: 'client-1' }),
			credentials: { knetikCloudOAuth2Api: clientCredentials({ id: knetik.addAdminClient().id, secret }) },
		});
		const error = errorOf(result);
		expect(error.message).toEqual(credentialSays('The credential could not get an access token. Knetik Cloud: Bad client credentials'));
		expect(error.description).toContain('code invalid_client');
		expect(everythingShown(result)).not.toContain(secret);
		expect(adminCalls()).toHaveLength(0);
	});

	test('its test request reads one page of tokens', async () => {
		expect(await n8n.testCredential(clientCredentialsType, clientCredentials())).toEqual({ ok: true });
		expect(Object.fromEntries(adminCalls().at(-1)!.query)).toEqual({ size: '1' });
	});
});

describe('Knetik Cloud Password OAuth2 credential', () => {
	const tokenRequests = () => knetik.server.requestsTo('/oauth/token');

	test.each([
		['a string', true],
		['a number', false],
	])('20 items cost one password-grant token (expires_in as %s), which a later run reuses', async (_case, asString) => {
		knetik.expiresInAsString = asString;
		const credential = passwordCredential();
		const result = await n8n.run({
			node: 'knetikCloud',
			parameters: { authentication: 'password', resource: 'token', operation: 'get', username: 'ada', clientId: 'client-2' },
			credentials: { knetikCloudPasswordOAuth2Api: credential },
			items: Array.from({ length: 20 }, () => ({})),
		});

		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(20);
		expect(tokenRequests()).toHaveLength(1);
		const stored = n8n.credentials.storedData(credential);
		expect(tokenRequests()[0].body).toEqual({
			grant_type: 'password',
			client_id: KNETIK_PUBLIC_CLIENT,
			username: stored.username,
			password: stored.password,
		});
		expect(tokenRequests()[0].headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
		const issued = (tokenRequests()[0].response?.body as { access_token: string }).access_token;
		expect(storedToken(stored.sessionToken)).toBe(issued);

		await n8n.sendWithCredential('knetikCloudPasswordOAuth2Api', credential, { method: 'GET', url: `${knetik.server.url}/auth/tokens` });
		expect(tokenRequests()).toHaveLength(1);
	});

	test('after 401s for an expired token, one new token serves every item', async () => {
		const credential = passwordCredential();
		const list = { method: 'GET' as const, url: `${knetik.server.url}/auth/tokens`, qs: { size: 1 } };
		await n8n.sendWithCredential('knetikCloudPasswordOAuth2Api', credential, list);
		knetik.expireBearerTokens();
		knetik.server.clearRequests();

		const result = await n8n.sendWithCredential('knetikCloudPasswordOAuth2Api', credential, list, { items: 10 });

		expect(result.error).toBeUndefined();
		expect(adminCalls().filter((call) => call.response?.status === 401)).toHaveLength(10);
		expect(adminCalls().filter((call) => call.response?.status === 200)).toHaveLength(10);
		expect(tokenRequests()).toHaveLength(1);
	});

	test('a wrong password shows Knetik’s message, never the password', async () => {
		const password = 'not-my-password-123';
		const result = await n8n.sendWithCredential('knetikCloudPasswordOAuth2Api', passwordCredential({ password }), {
			method: 'GET',
			url: `${knetik.server.url}/auth/tokens`,
		});
		const error = errorOf(result);
		expect(error.message).toBe('The credential could not get an access token. Knetik Cloud: Bad credentials');
		expect(error.description).toContain('HTTP 400 Bad Request, code invalid_grant');
		expect(everythingShown(result)).not.toContain(password);
	});

	test('its test request passes', async () => {
		expect(await n8n.testCredential(passwordType, passwordCredential())).toEqual({ ok: true });
	});
});

describe('Custom API Call, as n8n’s editor offers it in the Resource and Operation lists', () => {
	test.each([
		['operation', { resource: 'token', operation: '__CUSTOM_API_CALL__' }],
		['resource', { resource: '__CUSTOM_API_CALL__', operation: '__CUSTOM_API_CALL__' }],
	])('chosen as the %s: points to the HTTP Request node and sends nothing', async (_where, chosen) => {
		const run = tokens('getAll');
		const error = errorOf(await n8n.run({ ...run, parameters: { ...run.parameters, ...chosen } }));
		expect(error.message).toBe(
			'Custom API Call is not an operation of the Knetik Cloud node: use the HTTP Request node with this credential',
		);
		expect(error.description).toContain('Predefined Credential Type');
		expect(knetik.server.requests).toHaveLength(0);
	});
});
