/**
 * Issue 10, "Nothing silently dropped, widened, faked or hung": each class of careless input
 * and misbehaving server, on every node, run through n8n-core's engine against the mocks.
 */
import type { IDataObject } from 'n8n-workflow';

import { C2mClientKeyApi } from '../credentials/C2mClientKeyApi.credentials';
import { C2mLongTermTokenApi } from '../credentials/C2mLongTermTokenApi.credentials';
import { C2mShortTermTokenApi } from '../credentials/C2mShortTermTokenApi.credentials';
import { ConfluentCloudApi } from '../credentials/ConfluentCloudApi.credentials';
import { KnetikCloudOAuth2Api } from '../credentials/KnetikCloudOAuth2Api.credentials';
import { KnetikCloudPasswordOAuth2Api } from '../credentials/KnetikCloudPasswordOAuth2Api.credentials';
import { RunAiApi } from '../credentials/RunAiApi.credentials';
import { C2m } from '../nodes/C2m/C2m.node';
import { ConfluentCloud } from '../nodes/ConfluentCloud/ConfluentCloud.node';
import { KnetikCloud } from '../nodes/KnetikCloud/KnetikCloud.node';
import { RunAi } from '../nodes/RunAi/RunAi.node';
import { N8nHarness, type RunOptions } from './harness/n8n.ts';
import { oAuth2Api } from './harness/oAuth2Api.ts';
import { C2mMock } from './mock/c2m.ts';
import { CLOUD_API_KEY, ConfluentMock, SHARE_TOKEN } from './mock/confluent.ts';
import { KnetikMock, seedTokens } from './mock/knetik.ts';
import { RUNAI_CLIENT, RunAiMock } from './mock/runai.ts';
import { errorOf } from './support.ts';

const knetik = new KnetikMock();
const c2m = new C2mMock();
const confluent = new ConfluentMock();
const runai = new RunAiMock();
const mocks = [knetik.server, c2m.server, confluent.server, runai.server];
let n8n: N8nHarness;

beforeAll(async () => {
	await Promise.all(mocks.map((server) => server.start()));
});
afterAll(async () => {
	await Promise.all(mocks.map((server) => server.stop()));
});
beforeEach(() => {
	n8n = new N8nHarness(
		[new KnetikCloud(), new C2m(), new ConfluentCloud(), new RunAi()],
		[
			oAuth2Api,
			new KnetikCloudOAuth2Api(),
			new KnetikCloudPasswordOAuth2Api(),
			new C2mClientKeyApi(),
			new C2mLongTermTokenApi(),
			new C2mShortTermTokenApi(),
			new ConfluentCloudApi(),
			new RunAiApi(),
		],
	);
	for (const server of mocks) server.clearRequests();
	knetik.stored = seedTokens();
	confluent.shareTokens.set(SHARE_TOKEN, { redeemed: false });
});

function knetikRun(operation: string, parameters: Record<string, unknown>, items?: IDataObject[]): RunOptions {
	const client = knetik.addAdminClient();
	return {
		node: 'knetikCloud',
		parameters: { authentication: 'clientCredentials', resource: 'token', operation, ...parameters },
		credentials: {
			knetikCloudOAuth2Api: n8n.addCredential('knetikCloudOAuth2Api', {
				baseUrl: knetik.server.url,
				clientId: client.id,
				clientSecret: client.secret,
			}),
		},
		items,
	};
}

const knetikAdminCalls = () => knetik.server.requests.filter((request) => request.rawPath.startsWith('/auth/tokens'));

function c2mRun(operation: string, parameters: Record<string, unknown>, items?: IDataObject[]): RunOptions {
	return {
		node: 'c2m',
		parameters: { resource: 'token', operation, authentication: 'longTermToken', ...parameters },
		credentials: {
			c2mLongTermTokenApi: n8n.addCredential('c2mLongTermTokenApi', {
				longTermToken: c2m.longTermToken(),
				baseUrl: c2m.server.url,
			}),
		},
		items,
	};
}

function confluentRun(operation: string, parameters: Record<string, unknown>, items?: IDataObject[]): RunOptions {
	return {
		node: 'confluentCloud',
		parameters: { resource: 'sharedToken', operation, token: SHARE_TOKEN, ...parameters },
		credentials: {
			confluentCloudApi: n8n.addCredential('confluentCloudApi', {
				apiKey: CLOUD_API_KEY.key,
				apiSecret: CLOUD_API_KEY.secret,
				baseUrl: confluent.server.url,
			}),
		},
		items,
	};
}

function runAiRun(operation: string, parameters: Record<string, unknown>, items?: IDataObject[]): RunOptions {
	return {
		node: 'runAi',
		parameters: { resource: 'token', operation, ...parameters },
		credentials: {
			runAiApi: n8n.addCredential('runAiApi', {
				baseUrl: runai.server.url,
				authentication: 'accessToken',
				accessToken: 'runai-pasted-token',
			}),
		},
		items,
	};
}

describe('A value the user set never silently disappears', () => {
	test('Knetik Delete: a Username expression that resolves to "" deletes nothing (not every user’s tokens)', async () => {
		const error = errorOf(
			await n8n.run(knetikRun('delete', { username: '={{ $json.user }}', clientId: 'web' }, [{ user: '' }])),
		);
		expect(error.message).toBe('Username is set but resolved to nothing (empty text) for item 0');
		expect(error.description).toContain('Nothing was sent to Knetik Cloud');
		expect(knetikAdminCalls()).toHaveLength(0);
		expect(knetik.stored).toHaveLength(seedTokens().length);
	});

	test.each([
		['undefined', '={{ $json.missing }}', 'nothing (undefined)'],
		['null', '={{ null }}', 'nothing (null)'],
	])('Knetik Delete: a Client ID expression that resolves to %s is refused', async (_case, expression, said) => {
		const error = errorOf(await n8n.run(knetikRun('delete', { username: 'bob', clientId: expression })));
		expect(error.message).toBe(`Client ID is set but resolved to ${said} for item 0`);
		expect(knetikAdminCalls()).toHaveLength(0);
	});

	test('Knetik Delete: a field the user did not add is not sent', async () => {
		const result = await n8n.run(knetikRun('delete', { username: 'bob' }));
		expect(result.error).toBeUndefined();
		expect(Object.fromEntries(knetikAdminCalls()[0].query)).toEqual({ username: 'bob' });
	});

	test.each([
		['undefined', '={{ $json.missing }}'],
		['an empty list', '={{ [] }}'],
	])('C2M Issue Short-Term: Scopes resolving to %s are refused, not widened to every scope', async (_case, scopes) => {
		const error = errorOf(await n8n.run(c2mRun('issueShortTerm', { additionalFields: { scopes } })));
		expect(error.message).toMatch(/^Scopes \(in Additional Fields\) is set but resolved to nothing/);
		expect(error.description).toContain('Nothing was sent to C2M');
		expect(c2m.server.requests).toHaveLength(0);
	});

	test('C2M Issue Short-Term: one scope entry resolving to nothing is refused too', async () => {
		const error = errorOf(
			await n8n.run(c2mRun('issueShortTerm', { additionalFields: { scopes: ['jobs:submit', '={{ $json.scope }}'] } })),
		);
		expect(error.message).toBe('Scopes (in Additional Fields, entry 2) is set but resolved to nothing (undefined) for item 0');
		expect(c2m.server.requests).toHaveLength(0);
	});

	test('Knetik Get Many: a filter resolving to nothing does not list every user’s tokens', async () => {
		const error = errorOf(
			await n8n.run(knetikRun('getAll', { returnAll: true, filters: { username: '={{ $json.user }}' } }, [{}])),
		);
		expect(error.message).toBe('Username (in Filters) is set but resolved to nothing (undefined) for item 0');
		expect(knetikAdminCalls()).toHaveLength(0);
	});

	test('Knetik Get Many: a Limit of ={{ null }} is refused instead of returning nothing', async () => {
		const error = errorOf(await n8n.run(knetikRun('getAll', { returnAll: false, limit: '={{ null }}' })));
		expect(error.message).toBe('Limit is set but resolved to nothing (null) for item 0');
		expect(knetikAdminCalls()).toHaveLength(0);
	});

	test('Knetik Get Many: a sort property resolving to nothing is refused', async () => {
		const error = errorOf(
			await n8n.run(knetikRun('getAll', { sort: { order: [{ property: '={{ $json.by }}', direction: 'ASC' }] } })),
		);
		expect(error.message).toBe('Property (in Sort, rule 1) is set but resolved to nothing (undefined) for item 0');
		expect(knetikAdminCalls()).toHaveLength(0);
	});

	test('Confluent Redeem (one-shot) does not go through without the private-network field the user set', async () => {
		const error = errorOf(
			await n8n.run(confluentRun('redeem', { additionalFields: { awsAccount: '={{ $json.account }}' } }, [{}])),
		);
		expect(error.message).toBe('AWS Account (in Additional Fields) is set but resolved to nothing (undefined) for item 0');
		expect(error.description).toContain('Nothing was sent to Confluent Cloud');
		expect(confluent.server.requests).toHaveLength(0);
		expect(confluent.shareTokens.get(SHARE_TOKEN)?.redeemed).toBe(false);
	});

	test('Run:ai Create: a User-Agent option resolving to nothing is refused', async () => {
		const error = errorOf(
			await n8n.run(
				runAiRun('create', {
					grantType: 'client_credentials',
					clientId: RUNAI_CLIENT.id,
					clientSecret: RUNAI_CLIENT.secret,
					options: { userAgent: '={{ $json.agent }}' },
				}),
			),
		);
		expect(error.message).toBe('User-Agent (in Options) is set but resolved to nothing (undefined) for item 0');
		expect(runai.server.requests).toHaveLength(0);
	});

	test('each item is checked on its own: only the item whose value resolves to nothing fails', async () => {
		const result = await n8n.run({
			...knetikRun('delete', { username: '={{ $json.user }}', clientId: 'web' }, [{ user: 'bob' }, { user: '' }]),
			continueOnFail: true,
		});
		expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(result.items[0].json).toEqual({ deleted: true, username: 'bob', client_id: 'web' });
		expect(result.items[1].json.error).toBe('Username is set but resolved to nothing (empty text) for item 1');
		expect(knetikAdminCalls()).toHaveLength(1);
	});
});
