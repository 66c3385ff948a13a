/**
 * The Confluent Cloud node and credentials in a real n8n, installed from the package tarball:
 * the example workflows, a provider error, Continue On Fail, and the identity-pool credential's
 * token life over several executions.
 */
import { IDENTITY_POOL_ID, SHARE_TOKEN } from '../../scripts/mock/confluent.ts';
import { RECIPE_SHARE_TOKEN } from '../../scripts/mocks.ts';
import { E2E_TIMEOUT, INSTALL_TIMEOUT } from './timeouts.ts';
import { itemsOf, jsonOf, ran, startRealN8n, stoppedWith, type RealN8n } from './n8n-cli.ts';
import { chainWorkflow, items } from './workflows.ts';

const apiKeyCredential = { confluentCloudApi: { id: 'tlConfluentApi01', name: 'Confluent Cloud API (sandbox)' } };

let n8n: RealN8n;

beforeAll(async () => {
	n8n = await startRealN8n();
	await n8n.importWorkflows([
		chainWorkflow('e2eConfluentFail', 'Confluent Cloud fails', [
			{
				name: 'Preview an unknown token',
				type: 'confluentCloud',
				parameters: { resource: 'sharedToken', operation: 'getResources', token: 'cdx_share_unknown' },
				credentials: apiKeyCredential,
			},
		]),
		chainWorkflow('e2eConfluentCof', 'Confluent Cloud continues on fail', [
			...items([{ token: 'cdx_share_unknown' }, { token: 'cdx_share_e2e_cof' }]),
			{
				name: 'Preview each token',
				type: 'confluentCloud',
				parameters: { resource: 'sharedToken', operation: 'getResources', token: '={{ $json.token }}' },
				credentials: apiKeyCredential,
				onError: 'continueRegularOutput',
			},
		]),
	]);
	n8n.mocks.mocks.confluent.shareTokens.set('cdx_share_e2e_cof', { redeemed: false });
}, INSTALL_TIMEOUT);

afterAll(async () => {
	await n8n?.stop();
});

test(
	'"Confluent Cloud: every operation" runs each operation against the API',
	async () => {
		const { confluent, identityProvider } = n8n.mocks.mocks;
		const execution = await n8n.execute('tlExConfluentOps');

		expect(execution.run.status).toBe('success');
		expect(jsonOf(execution, 'Preview share token')).toEqual([
			{ consumer_shared_resources: [expect.objectContaining({ id: 'csr-12345', display_name: 'Stock Trades' })] },
		]);
		expect(jsonOf(execution, 'Redeem share token')).toEqual([
			expect.objectContaining({ api_key: 'SHAREDKAFKAKEY01', secret: 'shared-kafka-secret-value' }),
		]);
		const [jwt] = jsonOf(execution, 'Get a JWT');
		const [exchanged] = jsonOf(execution, 'Exchange for a Confluent token');
		expect(exchanged).toEqual(expect.objectContaining({ token_type: 'Bearer', expires_in: 900 }));
		expect(exchanged.access_token).toMatch(/^sts_/);

		// What Confluent received: the share token in a JSON body, the JWT in the RFC 8693 form.
		const [redeem] = confluent.server.requestsTo('/cdx/v1/shared-tokens:redeem');
		expect(redeem.body).toEqual({ token: SHARE_TOKEN });
		const [exchange] = confluent.server.requestsTo('/sts/v1/oauth2/token');
		expect(exchange.body).toEqual(
			expect.objectContaining({ subject_token: jwt.access_token, identity_pool_id: IDENTITY_POOL_ID, expires_in: '900' }),
		);
		expect(identityProvider.server.requestsTo('/oauth2/token')).toHaveLength(1);
	},
	E2E_TIMEOUT,
);

test(
	'"Validate a share token, then redeem it" redeems once, then sends the next run down the error branch',
	async () => {
		const first = await n8n.execute('tlExConfluentRdm');
		expect(jsonOf(first, 'Redeem')).toEqual([expect.objectContaining({ api_key: 'SHAREDKAFKAKEY01' })]);
		expect(ran(first, 'Not redeemable')).toBe(false);

		const second = await n8n.execute('tlExConfluentRdm');
		expect(second.run.status).toBe('success');
		expect(ran(second, 'Redeem')).toBe(false);
		expect(jsonOf(second, 'Not redeemable')).toEqual([
			expect.objectContaining({ reason: 'Confluent Cloud: The shared token has already been redeemed' }),
		]);
		const redeems = n8n.mocks.mocks.confluent.server
			.requestsTo('/cdx/v1/shared-tokens:redeem')
			.filter((request) => (request.body as { token: string }).token === RECIPE_SHARE_TOKEN);
		expect(redeems).toHaveLength(1);
	},
	E2E_TIMEOUT,
);

test(
	'a failing operation stops the workflow with Confluent’s own message, status and request ID',
	async () => {
		const execution = await n8n.execute('e2eConfluentFail');

		const error = stoppedWith(execution);
		expect(execution.exitCode).not.toBe(0);
		const [request] = n8n.mocks.mocks.confluent.server
			.requestsTo('/cdx/v1/shared-tokens:resources')
			.filter((sent) => (sent.body as { token: string }).token === 'cdx_share_unknown');
		expect(error.message).toBe('Confluent Cloud: Shared token not found');
		expect(error.node.name).toBe('Preview an unknown token');
		expect(error.description).toContain('HTTP 404');
		expect(error.description).toContain(String(request.response?.headers?.['x-request-id']));
	},
	E2E_TIMEOUT,
);

test(
	'with Continue On Fail a failing item becomes an error item and the next item still runs',
	async () => {
		const execution = await n8n.execute('e2eConfluentCof');

		expect(execution.run.status).toBe('success');
		const output = itemsOf(execution, 'Preview each token');
		expect(output.map((item) => item.json)).toEqual([
			{ error: 'Confluent Cloud: Shared token not found' },
			{ consumer_shared_resources: [expect.objectContaining({ id: 'csr-12345' })] },
		]);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(output[0].error).toEqual(
			expect.objectContaining({ name: 'NodeApiError', description: expect.stringContaining('HTTP 404 Not Found, code not_found') }),
		);
	},
	E2E_TIMEOUT,
);

describe('the identity-pool credential in the HTTP Request node', () => {
	const tokenRequests = () => ({
		identityProvider: n8n.mocks.mocks.identityProvider.server.requestsTo('/oauth2/token').length,
		sts: n8n.mocks.mocks.confluent.server.requestsTo('/sts/v1/oauth2/token').length,
	});
	const environmentCalls = () => n8n.mocks.mocks.confluent.server.requestsTo('/org/v2/environments');

	test(
		'fetches a token on the first execution, reuses the stored one later, and renews it after a 401',
		async () => {
			const before = tokenRequests();
			const first = await n8n.execute('tlExConfluentHttp');
			expect(jsonOf(first, 'One item per environment')).toEqual([
				expect.objectContaining({ id: 'env-00000', kind: 'Environment' }),
			]);
			expect(tokenRequests()).toEqual({ identityProvider: before.identityProvider + 1, sts: before.sts + 1 });
			const firstToken = environmentCalls().at(-1)?.headers.authorization;
			expect(firstToken).toMatch(/^Bearer sts_/);

			// A new n8n process: the token can only come from the credential n8n stored.
			const second = await n8n.execute('tlExConfluentHttp');
			expect(second.run.status).toBe('success');
			expect(tokenRequests()).toEqual({ identityProvider: before.identityProvider + 1, sts: before.sts + 1 });
			expect(environmentCalls().at(-1)?.headers.authorization).toBe(firstToken);

			n8n.mocks.mocks.confluent.expireStsTokens();
			const third = await n8n.execute('tlExConfluentHttp');
			expect(third.run.status).toBe('success');
			expect(environmentCalls().slice(-2).map((call) => call.response?.status)).toEqual([401, 200]);
			expect(tokenRequests()).toEqual({ identityProvider: before.identityProvider + 2, sts: before.sts + 2 });
			expect(environmentCalls().at(-1)?.headers.authorization).not.toBe(firstToken);
		},
		E2E_TIMEOUT * 3,
	);
});

test('n8n logged no warning or error while loading the package and running the workflows', () => {
	expect(n8n.problems).toEqual([]);
});
