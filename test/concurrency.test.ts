/**
 * A node has a bounded number of requests under way (Options > Max Concurrent Requests), where
 * n8n's routing engine would start every item's request at once.
 */
import type { INodeParameters } from 'n8n-workflow';

import type { N8nHarness, RunOptions } from './harness/n8n.ts';
import { KnetikMock } from '../scripts/mock/knetik.ts';
import { harnessWithEverything, serveDuringTests } from './support.ts';

const knetik = new KnetikMock();
serveDuringTests([knetik.server]);

let n8n: N8nHarness;
beforeEach(() => {
	n8n = harnessWithEverything();
	// Answers take a while, so that requests pile up unless the node holds them back.
	knetik.server.answerDelayMs = 100;
});

function listTokens(items: number, requestOptions: INodeParameters = {}): RunOptions {
	const client = knetik.addAdminClient();
	return {
		node: 'knetikCloud',
		parameters: { authentication: 'clientCredentials', resource: 'token', operation: 'getAll', limit: 1, requestOptions },
		credentials: {
			knetikCloudOAuth2Api: n8n.addCredential('knetikCloudOAuth2Api', { baseUrl: knetik.server.url, clientId: client.id, clientSecret: client.secret }),
		},
		items: Array.from({ length: items }, () => ({})),
	};
}

test('at most 20 requests at once by default, and the number the user sets', async () => {
	const byDefault = await n8n.run(listTokens(100));
	expect(byDefault.items).toHaveLength(100);
	expect(knetik.server.peakInFlight).toBe(20);

	knetik.server.clearRequests();
	const two = await n8n.run(listTokens(50, { maxConcurrentRequests: 2 }));
	expect(two.items).toHaveLength(50);
	expect(two.items.map((item) => item.pairedItem)).toEqual(Array.from({ length: 50 }, (_, item) => ({ item })));
	expect(knetik.server.peakInFlight).toBe(2);
});
