/**
 * Secrets stay with the host they belong to, in a real n8n (its own HTTP stack, credential
 * store and CLI): redirects to another origin are not followed with secrets, and a stored
 * token does not follow its credential to a new base URL.
 */
import { RUNAI_CLIENT, RunAiMock } from '../../scripts/mock/runai.ts';
import { MockServer } from '../../scripts/mock/server.ts';
import { KNETIK_ADMIN_USER, KNETIK_PUBLIC_CLIENT } from '../../scripts/mock/knetik.ts';
import { jsonOf, startRealN8n, stoppedWith, type RealN8n } from './n8n-cli.ts';
import { E2E_TIMEOUT, INSTALL_TIMEOUT } from './timeouts.ts';
import { chainWorkflow } from './workflows.ts';

let n8n: RealN8n;
/** Another origin: whatever reaches it would be a leak. */
const otherOrigin = new MockServer({ name: 'other origin', routes: [], errorBody: (_status, message) => ({ message }) });
/** The Run:ai tenant a credential is moved to. */
const movedRunAi = new RunAiMock();

const confluentKey = { confluentCloudApi: { id: 'tlConfluentApi01', name: 'Confluent Cloud API (sandbox)' } };
const knetikRedirected = { knetikCloudPasswordOAuth2Api: { id: 'tlE2eKnetikRedir', name: 'Knetik password (redirect test)' } };
const runAiMoved = { runAiApi: { id: 'tlE2eRunAiMoved1', name: 'Run:ai (moved tenant)' } };

beforeAll(async () => {
	await Promise.all([otherOrigin.start(), movedRunAi.server.start()]);
	n8n = await startRealN8n();
	const { urls } = n8n.mocks;
	await n8n.importCredentials([
		{
			...knetikRedirected.knetikCloudPasswordOAuth2Api,
			type: 'knetikCloudPasswordOAuth2Api',
			data: { baseUrl: urls.knetik, username: KNETIK_ADMIN_USER.username, password: KNETIK_ADMIN_USER.password, clientId: KNETIK_PUBLIC_CLIENT },
		},
		{
			...runAiMoved.runAiApi,
			type: 'runAiApi',
			data: { baseUrl: urls.runAi, authentication: 'clientCredentials', clientId: RUNAI_CLIENT.id, clientSecret: RUNAI_CLIENT.secret },
		},
	]);
	await n8n.importWorkflows([
		chainWorkflow('e2eRedirectNode', 'Redirected node call', [
			{
				name: 'Get resources',
				type: 'confluentCloud',
				parameters: { resource: 'sharedToken', operation: 'getResources', token: 'cdx_share_9f8e7d6c5b4a' },
				credentials: confluentKey,
			},
		]),
		chainWorkflow('e2eRedirectToken', 'Redirected token request', [
			{
				name: 'List one',
				type: 'knetikCloud',
				parameters: { authentication: 'password', resource: 'token', operation: 'getAll', returnAll: false, limit: 1 },
				credentials: knetikRedirected,
			},
		]),
		chainWorkflow('e2eMovedTenant', 'Run:ai credential moved', [
			{
				name: 'Create',
				type: 'runAi',
				parameters: { resource: 'token', operation: 'create', grantType: 'client_credentials', clientCredentialsFrom: 'node', clientId: RUNAI_CLIENT.id, clientSecret: RUNAI_CLIENT.secret, options: {} },
				credentials: runAiMoved,
			},
		]),
	]);
}, INSTALL_TIMEOUT);

afterAll(async () => {
	await n8n?.stop();
	await Promise.all([otherOrigin.stop(), movedRunAi.server.stop()]);
});

test(
	'a node call answered 307 towards another origin is not followed: the API key and share token stay home',
	async () => {
		const { confluent } = n8n.mocks.mocks;
		confluent.server.clearRequests();
		confluent.server.redirectNext(307, `${otherOrigin.url}/cdx/v1/shared-tokens:resources`);

		const error = stoppedWith(await n8n.execute('e2eRedirectNode'));

		expect(otherOrigin.requests).toEqual([]);
		expect(error.message).toMatch(/^Confluent Cloud redirected the request to another address \(http:\/\/127\.0\.0\.1:\d+\), which is not followed$/);
		expect(confluent.server.requests).toHaveLength(1);
	},
	E2E_TIMEOUT,
);

test(
	'a token endpoint answering 307 towards another origin gets no password there, and the run says why',
	async () => {
		const { knetik } = n8n.mocks.mocks;
		knetik.server.clearRequests();
		knetik.server.redirectNext(307, `${otherOrigin.url}/oauth/token`);

		const error = stoppedWith(await n8n.execute('e2eRedirectToken'));

		expect(otherOrigin.requests).toEqual([]);
		expect(error.message).toMatch(/^The credential "[^"]+" could not get an access token: Knetik Cloud redirected the request to another address/);
		expect(JSON.stringify(error)).not.toContain(KNETIK_ADMIN_USER.password);
	},
	E2E_TIMEOUT,
);

test(
	'a credential moved to another base URL does not send the token n8n stored for the old one',
	async () => {
		const first = await n8n.execute('e2eMovedTenant');
		expect(first.run.status).toBe('success');
		const stored = await n8n.exportCredential(runAiMoved.runAiApi.id);
		const oldToken = String(stored.sessionToken).replace(/^[0-9a-f]{32}(@\d+)?:/, '');
		expect(oldToken).toMatch(/^runai_at_/);

		// The user changes the base URL; n8n keeps the hidden token it had stored.
		await n8n.importCredentials([{ ...runAiMoved.runAiApi, type: 'runAiApi', data: { ...stored, baseUrl: movedRunAi.server.url } }]);
		expect((await n8n.exportCredential(runAiMoved.runAiApi.id)).sessionToken).toBe(stored.sessionToken);
		const second = await n8n.execute('e2eMovedTenant');

		expect(second.run.status).toBe('success');
		expect(jsonOf(second, 'Create')[0].accessToken).toMatch(/^runai_at_/);
		const sent = JSON.stringify(movedRunAi.server.requests.map((request) => [request.headers, request.rawBody]));
		expect(sent).not.toContain(oldToken);
		expect(movedRunAi.server.requests.length).toBeGreaterThanOrEqual(1);
	},
	E2E_TIMEOUT * 2,
);

test('n8n logged no warning or error apart from the failed runs', () => {
	expect(n8n.problems).toEqual([]);
});
