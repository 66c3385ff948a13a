/**
 * Where this n8n lacks an internal the package uses (nodes/shared/n8nInternals.ts), the node
 * falls back to n8n's public path, still works, and says so once in n8n's log. That each use is
 * in effect on the n8n lines tested is pinned in a real n8n: test/e2e/n8n-internals.test.ts.
 */
import { createRequire } from 'node:module';

import { createMocks } from '../scripts/mocks.ts';
import { harnessWithEverything, serveDuringTests } from './support.ts';

const { knetik } = createMocks();
serveDuringTests([knetik.server]);

/** The logger n8n-core hands nodes as `this.logger`: from n8n-core's own copy of n8n's packages. */
function n8nLogger(): { warn(message: string): void } {
	const fromCore = createRequire(require.resolve('n8n-core'));
	const { Container } = fromCore('@n8n/di') as typeof import('@n8n/di');
	const { Logger } = fromCore('@n8n/backend-common') as typeof import('@n8n/backend-common');
	return Container.get(Logger);
}

afterEach(() => jest.restoreAllMocks());

/** A harness with a Knetik client-credentials credential, a spy on n8n's log, and a run of three items. */
function knetikRun(withoutStoredForm = false) {
	const n8n = harnessWithEverything();
	const client = knetik.addAdminClient();
	const credential = n8n.addCredential('knetikCloudOAuth2Api', { baseUrl: knetik.server.url, clientId: client.id, clientSecret: client.secret });
	if (withoutStoredForm) {
		const read = n8n.credentials.getDecrypted.bind(n8n.credentials);
		jest.spyOn(n8n.credentials, 'getDecrypted').mockImplementation(async (...args) => {
			if (args[5] === true) throw new Error('no raw reads in this n8n');
			return await read(...args);
		});
	}
	const warn = jest.spyOn(n8nLogger(), 'warn').mockImplementation(() => undefined);
	const run = async () =>
		await n8n.run({
			node: 'knetikCloud',
			parameters: { authentication: 'clientCredentials', operation: 'getAll', limit: 1 },
			credentials: { knetikCloudOAuth2Api: credential },
			items: [{}, {}, {}],
		});
	return { run, warn, reads: () => n8n.credentials.readCount(credential) };
}

// First: the warning is logged once per process.
test('with the stored form, the node run reads the credential once, and nothing is logged', async () => {
	const { run, warn, reads } = knetikRun();
	const result = await run();

	expect(result.items).toHaveLength(3);
	// n8n's own reads for the node run and its token; none per request (compare the test below).
	expect(reads()).toBe(3);
	expect(warn).not.toHaveBeenCalled();
});

test('without the stored form of a credential, each item reads its own, and n8n’s log says why', async () => {
	const { run, warn, reads } = knetikRun(true);
	const result = await run();

	expect(result.error).toBeUndefined();
	expect(result.items).toHaveLength(3);
	// At least one more per item: n8n reads it for every request it authenticates.
	expect(reads()).toBeGreaterThanOrEqual(3 + 3);
	expect(warn.mock.calls.map(([message]) => message)).toEqual([
		expect.stringContaining('reading a stored credential (credentialsHelper.getDecrypted) is not available in this n8n'),
	]);
});
