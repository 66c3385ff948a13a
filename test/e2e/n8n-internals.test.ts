/**
 * Pins every use of n8n internals (nodes/shared/n8nInternals.ts) on the n8n line under test: one
 * workflow takes each, its effect is checked, and n8n must log no warning that a use fell back to
 * n8n's public path. And where the lines differ in what they store: a credential field set by an
 * expression keeps it (n8n 1.x writes resolved values back when a token is stored).
 */
import { KNETIK_ADMIN_USER, KNETIK_PUBLIC_CLIENT } from '../../scripts/mock/knetik.ts';
import { itemsOf, startRealN8n, type RealN8n } from './n8n-cli.ts';
import { E2E_TIMEOUT, INSTALL_TIMEOUT } from './timeouts.ts';
import { chainWorkflow, items } from './workflows.ts';

const password = { knetikCloudPasswordOAuth2Api: { id: 'tlKnetikPasswd01', name: 'Knetik Cloud Password OAuth2 API (sandbox)' } };
const wrongPassword = { knetikCloudPasswordOAuth2Api: { id: 'tlKnetikWrongPw2', name: 'Knetik Cloud with a wrong password' } };
const passwordByExpression = { knetikCloudPasswordOAuth2Api: { id: 'tlKnetikExprPw01', name: 'Knetik Cloud with its Password from the item' } };
const PASSWORD_EXPRESSION = '={{ $json.password }}';

let n8n: RealN8n;

beforeAll(async () => {
	n8n = await startRealN8n();
	await n8n.importCredentials([
		{
			...wrongPassword.knetikCloudPasswordOAuth2Api,
			type: 'knetikCloudPasswordOAuth2Api',
			data: { baseUrl: n8n.mocks.urls.knetik, username: KNETIK_ADMIN_USER.username, password: 'not-the-password', clientId: KNETIK_PUBLIC_CLIENT },
		},
		{
			...passwordByExpression.knetikCloudPasswordOAuth2Api,
			type: 'knetikCloudPasswordOAuth2Api',
			data: { baseUrl: n8n.mocks.urls.knetik, username: KNETIK_ADMIN_USER.username, password: PASSWORD_EXPRESSION, clientId: KNETIK_PUBLIC_CLIENT },
		},
	]);
	const fiveItems = items(Array.from({ length: 5 }, (_, i) => ({ n: String(i) })));
	await n8n.importWorkflows([
		chainWorkflow('e2eInternals', 'Every use of n8n internals', [
			...fiveItems,
			{
				name: 'List tokens',
				type: 'knetikCloud',
				parameters: { authentication: 'password', operation: 'getAll', limit: 1 },
				credentials: password,
			},
			{
				name: 'Get a token that is not there',
				type: 'knetikCloud',
				parameters: { authentication: 'password', operation: 'get', username: 'nobody', clientId: 'nothing' },
				credentials: password,
				onError: 'continueRegularOutput',
			},
		]),
		chainWorkflow('e2eExpressionPassword', 'A Password from the item', [
			...items([{ password: KNETIK_ADMIN_USER.password }, { password: KNETIK_ADMIN_USER.password }]),
			{
				name: 'List tokens',
				type: 'knetikCloud',
				parameters: { authentication: 'password', operation: 'getAll', limit: 1 },
				credentials: passwordByExpression,
			},
		]),
		chainWorkflow('e2eInternalsRefused', 'A refused password, five items', [
			...fiveItems,
			{
				name: 'List tokens',
				type: 'knetikCloud',
				parameters: { authentication: 'password', operation: 'getAll', limit: 1 },
				credentials: wrongPassword,
				onError: 'continueRegularOutput',
			},
		]),
	]);
}, INSTALL_TIMEOUT);

afterAll(async () => {
	await n8n?.stop();
});

test(
	'each use of n8n internals is in effect on this line, and none fell back',
	async () => {
		const { knetik } = n8n.mocks.mocks;
		const execution = await n8n.execute('e2eInternals');

		// Uses 1 and 2 (the node run's credential), 3 (token requests seen by the node) and 4 (no
		// token yet: n8n renews before sending): one token for five items, and no API 401.
		expect(itemsOf(execution, 'List tokens')).toHaveLength(5);
		expect(knetik.server.requestsTo('/oauth/token')).toHaveLength(1);
		expect(knetik.server.requests.filter((request) => request.response?.status === 401)).toEqual([]);
		// Error statuses read by the door: Knetik's own message for its 404, on n8n 1.x as on 2.x.
		const [notThere] = itemsOf(execution, 'Get a token that is not there');
		expect(notThere.json.error).toContain('Token not found');

		// Use 3: a refused password is asked once in the node run, not once per item.
		const before = knetik.server.requestsTo('/oauth/token').length;
		const refused = await n8n.execute('e2eInternalsRefused');
		expect(itemsOf(refused, 'List tokens').map((item) => item.json.error)).toHaveLength(5);
		expect(knetik.server.requestsTo('/oauth/token').length - before).toBe(1);

		expect(n8n.problems).toEqual([]);
	},
	E2E_TIMEOUT,
);

test(
	'a credential field set by an expression is still the expression after the credential fetched its token',
	async () => {
		const execution = await n8n.execute('e2eExpressionPassword');

		expect(itemsOf(execution, 'List tokens')).toHaveLength(2);
		const stored = await n8n.exportCredential(passwordByExpression.knetikCloudPasswordOAuth2Api.id);
		expect(stored.password).toBe(PASSWORD_EXPRESSION);
	},
	E2E_TIMEOUT,
);
