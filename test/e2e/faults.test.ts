/**
 * Issue 10's destructive cases in a real n8n, installed from the package tarball: a Delete
 * whose Username resolves to nothing, scopes that resolve to nothing, a Revoke answered by a
 * captive portal, an answer too large to hold, a proxy, and an operation the node does not have; and a rule's own message from zod,
 * which n8n lends to the package (see validation.ts), on every n8n line tested.
 */
import { CLOUD_API_KEY } from '../../scripts/mock/confluent.ts';
import { KNETIK_ADMIN_USER, KNETIK_PUBLIC_CLIENT } from '../../scripts/mock/knetik.ts';
import { RecordingProxy } from '../../scripts/mock/recordingProxy.ts';
import { itemsOf, startRealN8n, stoppedWith, type RealN8n } from './n8n-cli.ts';
import { E2E_TIMEOUT, INSTALL_TIMEOUT } from './timeouts.ts';
import { chainWorkflow, httpRequest, items } from './workflows.ts';

const password = { knetikCloudPasswordOAuth2Api: { id: 'tlKnetikPasswd01', name: 'Knetik Cloud Password OAuth2 API (sandbox)' } };
const longTerm = { c2mLongTermTokenApi: { id: 'tlC2mLongTerm001', name: 'C2M Long-Term Token API (sandbox)' } };
const runAi = { runAiApi: { id: 'tlRunAiApi000001', name: 'Run:ai API (sandbox)' } };
const confluentApi = { confluentCloudApi: { id: 'tlConfluentApi01', name: 'Confluent Cloud API (sandbox)' } };
const wrongPassword = { knetikCloudPasswordOAuth2Api: { id: 'tlKnetikWrongPw1', name: 'Knetik Cloud with a wrong password' } };
const confluentHttps = { confluentCloudApi: { id: 'tlConfluentTls01', name: 'Confluent Cloud at an https:// address' } };
const expiredOnIssue = { knetikCloudPasswordOAuth2Api: { id: 'tlKnetikExpired1', name: 'Knetik Cloud whose tokens arrive expired' } };

let n8n: RealN8n;
let revocable: { id: string; value: string };

const proxy = new RecordingProxy();

beforeAll(async () => {
	await proxy.start();
	n8n = await startRealN8n();
	revocable = n8n.mocks.mocks.c2m.issueLongTermToken();
	await n8n.importCredentials([
		{
			...wrongPassword.knetikCloudPasswordOAuth2Api,
			type: 'knetikCloudPasswordOAuth2Api',
			data: { baseUrl: n8n.mocks.urls.knetik, username: KNETIK_ADMIN_USER.username, password: 'not-the-password', clientId: KNETIK_PUBLIC_CLIENT },
		},
		{
			...confluentHttps.confluentCloudApi,
			type: 'confluentCloudApi',
			data: { baseUrl: 'https://127.0.0.1:9', apiKey: CLOUD_API_KEY.key, apiSecret: CLOUD_API_KEY.secret },
		},
		{
			...expiredOnIssue.knetikCloudPasswordOAuth2Api,
			type: 'knetikCloudPasswordOAuth2Api',
			data: { baseUrl: n8n.mocks.urls.knetik, username: KNETIK_ADMIN_USER.username, password: KNETIK_ADMIN_USER.password, clientId: KNETIK_PUBLIC_CLIENT },
		},
	]);
	const listTokens = (credentials: Record<string, { id: string; name: string }>) => httpRequest('HTTP Request', `${n8n.mocks.urls.knetik}/auth/tokens`, credentials);
	await n8n.importWorkflows([
		chainWorkflow('e2eFaultWrongPassword', '50 items with a wrong password', [
			...items(Array.from({ length: 50 }, (_, i) => ({ n: String(i) }))),
			{
				name: 'List tokens',
				type: 'knetikCloud',
				parameters: { authentication: 'password', operation: 'getAll', limit: 1 },
				credentials: wrongPassword,
				onError: 'continueRegularOutput',
			},
		]),
		chainWorkflow('e2eFaultHttpWrongPassword', 'The HTTP Request node with a wrong password', [listTokens(wrongPassword)]),
		chainWorkflow('e2eFaultHttpExpired', 'The HTTP Request node with a token expired on issue', [listTokens(expiredOnIssue)]),
		chainWorkflow('e2eFaultDelete', 'Delete with a username that resolves to nothing', [
			...items([{ user: '' }]),
			{
				name: 'Delete the user’s tokens',
				type: 'knetikCloud',
				parameters: { authentication: 'password', operation: 'delete', username: '={{ $json.user }}', clientId: 'web' },
				credentials: password,
			},
		]),
		chainWorkflow('e2eFaultScopes', 'Short-term token with scopes that resolve to nothing', [
			...items([{ purpose: 'no scopes here' }]),
			{
				name: 'Trade for a narrower token',
				type: 'c2m',
				parameters: {
					operation: 'issueShortTerm',
					authentication: 'longTermToken',
					additionalFields: { scopes: '={{ $json.scopes }}' },
				},
				credentials: longTerm,
			},
		]),
		chainWorkflow('e2eFaultRevoke', 'Revoke answered by a captive portal', [
			{
				name: 'Revoke it',
				type: 'c2m',
				parameters: { operation: 'revoke', authentication: 'longTermToken', id: revocable.id },
				credentials: longTerm,
			},
		]),
		chainWorkflow('e2eFaultTokenTimeout', 'A token endpoint that never answers, with the node’s Timeout', [
			{
				name: 'Refresh',
				type: 'runAi',
				parameters: { operation: 'refresh', refreshToken: 'refresh-token-value', requestOptions: { timeout: 1500 } },
				credentials: runAi,
			},
		]),
		chainWorkflow('e2eFaultApiTimeout', 'An API that never answers, with the node’s Timeout', [
			{
				name: 'List tokens',
				type: 'knetikCloud',
				parameters: { authentication: 'password', operation: 'getAll', limit: 1, requestOptions: { timeout: 1500 } },
				credentials: password,
			},
		]),
		chainWorkflow('e2eFaultFlood', 'An API that answers with more than 10 MB', [
			{
				name: 'List tokens',
				type: 'knetikCloud',
				parameters: { authentication: 'password', operation: 'getAll', limit: 1 },
				credentials: password,
			},
		]),
		chainWorkflow('e2eFaultProxy', 'A plain-http proxy on another machine', [
			{
				name: 'List tokens',
				type: 'knetikCloud',
				parameters: { authentication: 'password', operation: 'getAll', limit: 1, requestOptions: { proxy: 'http://10.255.255.1:3128' } },
				credentials: password,
			},
		]),
		chainWorkflow('e2eFaultTunnel', 'An https:// address through a plain-http proxy elsewhere', [
			{
				name: 'Get its resources',
				type: 'confluentCloud',
				parameters: {
					resource: 'sharedToken',
					operation: 'getResources',
					token: 'share-token-value',
					requestOptions: { proxy: proxy.url(), timeout: 1500 },
				},
				credentials: confluentHttps,
			},
		]),
		chainWorkflow('e2eFaultNotText', 'A share token that is not text', [
			{
				name: 'Get its resources',
				type: 'confluentCloud',
				parameters: { resource: 'sharedToken', operation: 'getResources', token: '={{ 42 }}' },
				credentials: confluentApi,
			},
		]),
		chainWorkflow('e2eFaultCustomCall', 'Custom API Call run from an imported workflow', [
			{
				name: 'Custom call',
				type: 'knetikCloud',
				parameters: { authentication: 'password', operation: '__CUSTOM_API_CALL__' },
				credentials: password,
			},
		]),
	]);
}, INSTALL_TIMEOUT);

afterAll(async () => {
	await n8n?.stop();
	await proxy.stop();
});

test(
	'Knetik Delete with a Username that resolves to "" stops, and deletes nothing',
	async () => {
		const { knetik } = n8n.mocks.mocks;
		const before = knetik.stored.length;
		const error = stoppedWith(await n8n.execute('e2eFaultDelete'));

		expect(error.message).toBe('Username is set but resolved to nothing (empty text) for item 0');
		expect(error.description).toContain('Nothing was sent to Knetik Cloud');
		expect(knetik.server.requests.filter((request) => request.method === 'DELETE')).toEqual([]);
		expect(knetik.stored).toHaveLength(before);
	},
	E2E_TIMEOUT,
);

test(
	'C2M Issue Short-Term with Scopes that resolve to nothing stops instead of issuing a token with every scope',
	async () => {
		const error = stoppedWith(await n8n.execute('e2eFaultScopes'));

		expect(error.message).toBe('Scopes (in Additional Fields) is set but resolved to nothing (undefined) for item 0');
		expect(n8n.mocks.mocks.c2m.server.requestsTo('/auth/tokens/short')).toEqual([]);
	},
	E2E_TIMEOUT,
);

test(
	'C2M Revoke answered by a captive portal’s page is an error, not { revoked: true }',
	async () => {
		const { c2m } = n8n.mocks.mocks;
		c2m.server.answerWhen((request) => request.rawPath.endsWith('/revoke'), {
			status: 200,
			rawBody: '<html><body>Please sign in to the hotel Wi-Fi</body></html>',
			headers: { 'content-type': 'text/html' },
		});
		try {
			const execution = await n8n.execute('e2eFaultRevoke');
			const error = stoppedWith(execution);
			expect(error.message).toBe('C2M answered HTTP 200 with text/html, not the documented HTTP 204 with an empty body');
			expect(error.description).toContain('Please sign in to the hotel Wi-Fi');
			expect(error.description).toContain('Check the base URL');
			expect(c2m.isRevoked(revocable.id)).toBe(false);
		} finally {
			c2m.server.clearFaults();
		}
	},
	E2E_TIMEOUT,
);

test(
	'an operation the node does not have (Custom API Call) is refused, and nothing is sent',
	async () => {
		const { knetik } = n8n.mocks.mocks;
		knetik.server.clearRequests();
		const error = stoppedWith(await n8n.execute('e2eFaultCustomCall'));

		expect(error.message).toBe(
			'Custom API Call is not an operation of the Knetik Cloud node: use the HTTP Request node with this credential',
		);
		expect(knetik.server.requests).toEqual([]);
	},
	E2E_TIMEOUT,
);

test(
	'the node’s Timeout bounds the credential’s token request too, in n8n’s own credentials helper',
	async () => {
		const { runAi: runai } = n8n.mocks.mocks;
		runai.server.answerWhen((request) => request.rawPath === '/api/v1/token', { status: 0 });
		try {
			const started = Date.now();
			const error = stoppedWith(await n8n.execute('e2eFaultTokenTimeout'));
			expect(error.message).toBe('The credential "Run:ai API (sandbox)" could not get an access token: Run:ai did not answer within 1.5 seconds');
			// A whole n8n starts for the run; the wait itself is 1.5 s, not 30 or 300.
			expect(Date.now() - started).toBeLessThan(28_000);
			expect(runai.server.requestsTo('/api/v1/token')).toHaveLength(1);
		} finally {
			runai.server.clearFaults();
		}
	},
	E2E_TIMEOUT,
);

test(
	'fail closed: 50 items with a wrong password make one password-grant attempt, and every item says why',
	async () => {
		const { knetik } = n8n.mocks.mocks;
		knetik.server.clearRequests();
		const execution = await n8n.execute('e2eFaultWrongPassword');
		const listed = itemsOf(execution, 'List tokens');
		expect(listed).toHaveLength(50);
		expect(new Set(listed.map((item) => item.json.error))).toEqual(
			new Set(['The credential "Knetik Cloud with a wrong password" could not get an access token. Knetik Cloud: Bad credentials']),
		);
		expect(knetik.server.requestsTo('/oauth/token')).toHaveLength(1);
		expect(knetik.server.requestsTo('/auth/tokens')).toEqual([]);
	},
	E2E_TIMEOUT,
);

test(
	'in n8n’s HTTP Request node, a refused password and a token expired on issue show the credential’s own words',
	async () => {
		const { knetik } = n8n.mocks.mocks;
		const refused = stoppedWith(await n8n.execute('e2eFaultHttpWrongPassword'));
		expect(refused.message).toBe('The credential could not get an access token. Knetik Cloud: Bad credentials');
		expect(refused.description).toContain('Check the values in the credential');

		knetik.issuedLifetime = 0;
		try {
			knetik.server.clearRequests();
			const expired = stoppedWith(await n8n.execute('e2eFaultHttpExpired'));
			expect(expired.message).toBe('The credential could not get an access token: the token endpoint issued one that had already expired');
			expect(knetik.server.requestsTo('/auth/tokens')).toEqual([]);
		} finally {
			knetik.issuedLifetime = undefined;
		}
	},
	E2E_TIMEOUT,
);

test(
	'an API call that gets no answer is reported as a timeout, on n8n 1.x as on 2.x',
	async () => {
		const { knetik } = n8n.mocks.mocks;
		knetik.server.answerWhen((request) => request.rawPath === '/auth/tokens', { status: 0 });
		try {
			const error = stoppedWith(await n8n.execute('e2eFaultApiTimeout'));
			expect(error.message).toBe('Knetik Cloud did not answer within 1.5 seconds');
		} finally {
			knetik.server.clearFaults();
		}
	},
	E2E_TIMEOUT,
);

test(
	'an answer larger than 10 MB is dropped with an error saying so, and read no further, on n8n 1.x as on 2.x',
	async () => {
		const { knetik } = n8n.mocks.mocks;
		const flood = 64 * 1024 * 1024;
		knetik.server.answerWhen((request) => request.rawPath === '/auth/tokens', { status: 200, floodBytes: flood });
		try {
			knetik.server.clearRequests();
			const error = stoppedWith(await n8n.execute('e2eFaultFlood'));
			expect(error.message).toBe('Knetik Cloud sent an answer larger than 10 MB, the most the node reads');
			expect(knetik.server.requestsTo('/auth/tokens')[0].response?.sentBytes).toBeLessThan(flood / 2);
		} finally {
			knetik.server.clearFaults();
		}
	},
	E2E_TIMEOUT,
);

test(
	'a plain-http proxy on another machine in Settings > Request Options is refused before anything is sent',
	async () => {
		const { knetik } = n8n.mocks.mocks;
		knetik.server.clearRequests();
		const error = stoppedWith(await n8n.execute('e2eFaultProxy'));
		expect(error.message).toBe('The proxy would read this http:// request whole, secrets included');
		expect(knetik.server.requestsTo('/auth/tokens')).toEqual([]);
	},
	E2E_TIMEOUT,
);

test(
	'a plain-http proxy elsewhere carries an https:// request as a tunnel: it sees the host, not the API key',
	async () => {
		proxy.seen.length = 0;
		const error = stoppedWith(await n8n.execute('e2eFaultTunnel'));
		expect(proxy.seen).toEqual(['CONNECT 127.0.0.1:9 authorization: none']);
		// The proxy closed the tunnel: the error says a proxy was in the way.
		expect(error.description).toMatch(/went through the proxy in Settings > Request Options > Proxy, which may have answered or failed in Confluent Cloud’s place/);
	},
	E2E_TIMEOUT,
);

test(
	'a share token that is not text is refused with the rule’s own message (zod’s v3 API, as n8n lends it)',
	async () => {
		const error = stoppedWith(await n8n.execute('e2eFaultNotText'));

		expect(error.message).toBe('Share Token must be text');
		expect(n8n.mocks.mocks.confluent.server.requests).toEqual([]);
	},
	E2E_TIMEOUT,
);

test('n8n logged no warning or error while loading the package and running the workflows', () => {
	expect(n8n.problems).toEqual([]);
});
