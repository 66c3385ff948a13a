/**
 * The C2M node and its three credentials in a real n8n, installed from the package tarball.
 */
import { C2M_CLIENT } from '../../scripts/mock/c2m.ts';
import { itemsOf, jsonOf, ran, startRealN8n, stoppedWith, type RealN8n } from './n8n-cli.ts';
import { E2E_TIMEOUT, INSTALL_TIMEOUT } from './timeouts.ts';
import { chainWorkflow, items } from './workflows.ts';

const shortTerm = { c2mShortTermTokenApi: { id: 'tlC2mShortTerm01', name: 'C2M Automatic Short-Term Token API (sandbox)' } };
const revoke = (id: string) => ({ resource: 'token', operation: 'revoke', authentication: 'shortTermToken', id });

let n8n: RealN8n;
let revocable: { id: string; value: string };

/** Exchanges the automatic short-term credential made: short-term requests signed with its long-term token. */
const credentialExchanges = () => {
	const longTermToken = n8n.credentials.find((credential) => credential.type === 'c2mShortTermTokenApi')?.data.longTermToken;
	return n8n.mocks.mocks.c2m.server
		.requestsTo('/auth/tokens/short')
		.filter((request) => request.headers.authorization === `Bearer ${longTermToken}`);
};

beforeAll(async () => {
	n8n = await startRealN8n();
	revocable = n8n.mocks.mocks.c2m.issueLongTermToken();
	await n8n.importWorkflows([
		chainWorkflow('e2eC2mFail', 'C2M fails', [
			{ name: 'Revoke an unknown token', type: 'c2m', parameters: revoke('tok_unknown'), credentials: shortTerm },
		]),
		chainWorkflow('e2eC2mCof', 'C2M continues on fail', [
			...items([{ id: 'tok_unknown' }, { id: revocable.id }]),
			{ name: 'Revoke each', type: 'c2m', parameters: revoke('={{ $json.id }}'), credentials: shortTerm, onError: 'continueRegularOutput' },
		]),
	]);
}, INSTALL_TIMEOUT);

afterAll(async () => {
	await n8n?.stop();
});

test(
	'"C2M: every operation" issues a long-term token, revokes it, and trades for a short-term token',
	async () => {
		const { c2m } = n8n.mocks.mocks;
		const execution = await n8n.execute('tlExC2mOps');

		expect(execution.run.status).toBe('success');
		const [issued] = jsonOf(execution, 'Issue a long-term token');
		expect(issued).toEqual(
			expect.objectContaining({ access_token: expect.stringMatching(/^lt_/), expires_in: 3600, token_id: expect.stringMatching(/^tok_lt_/) }),
		);
		expect(jsonOf(execution, 'Revoke it')).toEqual([{ revoked: true, token_id: issued.token_id }]);
		expect(jsonOf(execution, 'Trade for a short-term token')).toEqual([
			expect.objectContaining({ expires_in: 900, token_id: expect.stringMatching(/^tok_st_/) }),
		]);

		const [long] = c2m.server.requestsTo('/auth/tokens/long');
		expect(long.headers['x-client-id']).toBe(C2M_CLIENT.id);
		expect(long.body).toEqual({
			grant_type: 'client_credentials',
			client_id: C2M_CLIENT.id,
			client_secret: C2M_CLIENT.secret,
			ttl_seconds: 3600,
		});
		expect(c2m.server.requestsTo(`/auth/tokens/${issued.token_id}/revoke`)).toHaveLength(1);
	},
	E2E_TIMEOUT,
);

test(
	'"Rotate the long-term token" revokes the token of the run before, with a short-term token the credential fetched once',
	async () => {
		const { c2m } = n8n.mocks.mocks;
		const first = await n8n.execute('tlExC2mRotate');
		expect(first.run.status).toBe('success');
		const [firstToken] = jsonOf(first, 'Issue a new long-term token');
		expect(firstToken.expires_in).toBe(7_776_000);
		expect(ran(first, 'Revoke the old token')).toBe(false);
		expect(credentialExchanges()).toHaveLength(0);

		const second = await n8n.execute('tlExC2mRotate');
		const [secondToken] = jsonOf(second, 'Issue a new long-term token');
		expect(jsonOf(second, 'Revoke the old token')).toEqual([{ revoked: true, token_id: firstToken.token_id }]);
		expect(c2m.server.requestsTo(`/auth/tokens/${firstToken.token_id}/revoke`)).toHaveLength(1);
		expect(c2m.server.requestsTo(`/auth/tokens/${secondToken.token_id}/revoke`)).toHaveLength(0);
		expect(credentialExchanges()).toHaveLength(1);
	},
	E2E_TIMEOUT * 2,
);

test(
	'with Continue On Fail an unknown token ID becomes an error item, the next item still runs, and the stored short-term token is reused',
	async () => {
		const execution = await n8n.execute('e2eC2mCof');

		expect(execution.run.status).toBe('success');
		const output = itemsOf(execution, 'Revoke each');
		expect(output.map((item) => item.json)).toEqual([
			{ error: 'C2M: Token tok_unknown was not found' },
			{ revoked: true, token_id: revocable.id },
		]);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(output[0].error?.description).toContain('HTTP 404');
		expect(credentialExchanges()).toHaveLength(1);
	},
	E2E_TIMEOUT,
);

test(
	'an unknown token ID stops the workflow with C2M’s own message',
	async () => {
		const error = stoppedWith(await n8n.execute('e2eC2mFail'));

		expect(error.message).toBe('C2M: Token tok_unknown was not found');
		expect(error.node.name).toBe('Revoke an unknown token');
		expect(error.description).toContain('HTTP 404');
	},
	E2E_TIMEOUT,
);

test(
	'"C2M: any API call with an automatic short-term token" revokes through the HTTP Request node with a short-term token',
	async () => {
		const { c2m } = n8n.mocks.mocks;
		const execution = await n8n.execute('tlExC2mHttp');

		expect(execution.run.status).toBe('success');
		const [issued] = jsonOf(execution, 'Issue a one-hour token');
		const [revocation] = c2m.server.requestsTo(`/auth/tokens/${issued.token_id}/revoke`);
		expect(revocation.response?.status).toBe(204);
		const shortTermTokens = credentialExchanges().map((request) => `Bearer ${(request.response?.body as { access_token: string }).access_token}`);
		expect(shortTermTokens).toContain(revocation.headers.authorization);
		expect(itemsOf(execution, 'Revoke it')).toHaveLength(1);
	},
	E2E_TIMEOUT,
);

test('n8n logged no warning or error while loading the package and running the workflows', () => {
	expect(n8n.problems).toEqual([]);
});
