/**
 * A token's life at its edges: a token already dead when it arrives is refused with what the
 * token endpoint did, never sent for a fake API 401; an absolute expiry behind n8n's clock is
 * read with an allowance for clock skew, the earlier of it and the lifetime winning; and any
 * lifetime, however long, is stored in a form the credential reads back.
 */
import { createMocks } from '../scripts/mocks.ts';
import type { N8nHarness, RunOptions } from './harness/n8n.ts';
import { C2M_CLIENT } from '../scripts/mock/c2m.ts';
import { KNETIK_PUBLIC_CLIENT } from '../scripts/mock/knetik.ts';
import { REFUSAL_MEMORY_MS } from '../nodes/shared/tokenSessions';
import { errorOf, harnessWithEverything, serveDuringTests, storedToken, credentialSays } from './support.ts';

const { knetik, c2m } = createMocks();
serveDuringTests([knetik.server, c2m.server]);

let n8n: N8nHarness;
beforeEach(() => {
	n8n = harnessWithEverything();
	knetik.server.clearRequests();
	knetik.issuedLifetime = undefined;
	c2m.clockBehindMs = 0;
});

function knetikList(): { run: RunOptions; credential: ReturnType<N8nHarness['addCredential']> } {
	const user = knetik.addAdminUser();
	const credential = n8n.addCredential('knetikCloudPasswordOAuth2Api', {
		baseUrl: knetik.server.url,
		username: user.username,
		password: user.password,
		clientId: KNETIK_PUBLIC_CLIENT,
	});
	return {
		credential,
		run: {
			node: 'knetikCloud',
			parameters: { authentication: 'password', resource: 'token', operation: 'getAll', limit: 1 },
			credentials: { knetikCloudPasswordOAuth2Api: credential },
		},
	};
}

const listCalls = () => knetik.server.requestsTo('/auth/tokens');

test('a token issued already expired is asked for once in a node run of 100 items, not once per wave', async () => {
	knetik.issuedLifetime = 0;
	const result = await n8n.run({ ...knetikList().run, items: Array.from({ length: 100 }, () => ({})), continueOnFail: true });
	expect(result.items).toHaveLength(100);
	expect(result.items.every((item) => /already expired/.test(item.error?.message ?? ''))).toBe(true);
	expect(knetik.server.requestsTo('/oauth/token')).toHaveLength(1);
});

test.each<[unknown]>([['0'], [0], [-30]])(
	'a token issued with expires_in %p is refused as expired on arrival, and never sent',
	async (lifetime) => {
		knetik.issuedLifetime = lifetime;
		const result = await n8n.run(knetikList().run);
		expect(errorOf(result).message).toEqual(credentialSays('The credential could not get an access token: the token endpoint issued one that had already expired'));
		expect(errorOf(result).description).toContain('clock differences');
		expect(listCalls()).toHaveLength(0);
	},
);

test('a lifetime of 10^18 seconds is stored in a form the credential reads back', async () => {
	knetik.issuedLifetime = 1e18;
	const { run, credential } = knetikList();
	const result = await n8n.run(run);
	expect(result.error).toBeUndefined();
	const stored = String(n8n.credentials.storedData(credential).sessionToken);
	expect(storedToken(stored)).toBe(String(listCalls()[0].headers.authorization).replace(/^Bearer /, ''));
	expect(stored).toMatch(/^[0-9a-f]{32}@\d+:/);
});

test('C2M: an expires_at a minute before n8n’s now, with expires_in 900, gives a token that is sent', async () => {
	// The server's clock is 16 minutes behind: its 900-second token "expired" a minute ago.
	c2m.clockBehindMs = 16 * 60_000;
	const credential = n8n.addCredential('c2mShortTermTokenApi', { baseUrl: c2m.server.url, longTermToken: c2m.longTermToken() });
	c2m.server.clearRequests();
	const result = await n8n.run({
		node: 'c2m',
		parameters: { resource: 'token', operation: 'issueLongTerm', authentication: 'shortTermToken', clientId: C2M_CLIENT.id },
		credentials: { c2mShortTermTokenApi: credential },
	});
	expect(result.error).toBeUndefined();
	expect(c2m.server.requestsTo('/auth/tokens/short')).toHaveLength(1);
	expect(c2m.server.requestsTo('/auth/tokens/long').map((request) => request.response?.status)).toEqual([201]);
});

describe('fail closed: a node run does not repeat a token request the endpoint refused', () => {
	const items = Array.from({ length: 200 }, () => ({}));

	test.each([[undefined], [1]])('200 items with a wrong password (Max Concurrent Requests %p): one password-grant attempt, every item told why', async (maxConcurrentRequests) => {
		const { run } = knetikList();
		const credential = run.credentials!.knetikCloudPasswordOAuth2Api;
		const stored = n8n.credentials.storedData(credential);
		const wrong = n8n.addCredential('knetikCloudPasswordOAuth2Api', { ...stored, password: 'not-the-password' });
		const result = await n8n.run({
			...run,
			parameters: { ...run.parameters, requestOptions: maxConcurrentRequests ? { maxConcurrentRequests } : {} },
			credentials: { knetikCloudPasswordOAuth2Api: wrong },
			items,
			continueOnFail: true,
		});
		expect(knetik.server.requestsTo('/oauth/token')).toHaveLength(1);
		expect(listCalls()).toHaveLength(0);
		expect(result.items).toHaveLength(200);
		expect(new Set(result.items.map((item) => item.error?.message))).toEqual(
			new Set([credentialSays('The credential could not get an access token. Knetik Cloud: Bad credentials')]),
		);

		// An execution within 30 s is told the same, without asking; one after asks again.
		const again = await n8n.run({ ...run, credentials: { knetikCloudPasswordOAuth2Api: wrong }, continueOnFail: true });
		expect(again.items[0].error?.message).toEqual(credentialSays('The credential could not get an access token. Knetik Cloud: Bad credentials'));
		expect(again.items[0].error?.description).toContain('Not asked again: the credential asks 30 seconds after a refusal');
		expect(knetik.server.requestsTo('/oauth/token')).toHaveLength(1);
		const now = Date.now();
		jest.spyOn(Date, 'now').mockImplementation(() => now + REFUSAL_MEMORY_MS + 1);
		try {
			await n8n.run({ ...run, credentials: { knetikCloudPasswordOAuth2Api: wrong }, continueOnFail: true });
		} finally {
			jest.restoreAllMocks();
		}
		expect(knetik.server.requestsTo('/oauth/token')).toHaveLength(2);
	});

	test('a token endpoint that answers 500: three attempts in a node run of 100 items, 0.5 s and 1 s apart', async () => {
		const sentAt: number[] = [];
		knetik.server.answerWhen(
			(request) => request.rawPath === '/oauth/token',
			() => {
				sentAt.push(Date.now());
				return knetik.server.error(500, 'Database unavailable', 'server_error');
			},
		);
		try {
			const { run } = knetikList();
			const result = await n8n.run({ ...run, items: items.slice(0, 100), continueOnFail: true });
			expect(knetik.server.requestsTo('/oauth/token')).toHaveLength(3);
			const gaps = sentAt.slice(1).map((at, i) => at - sentAt[i]);
			expect(gaps[0]).toBeGreaterThanOrEqual(450);
			expect(gaps[1]).toBeGreaterThanOrEqual(950);
			expect(result.items).toHaveLength(100);
			expect(result.items.every((item) => /could not get an access token/.test(item.error?.message ?? ''))).toBe(true);
		} finally {
			knetik.server.clearFaults();
		}
	});
});

test('an API that refuses every freshly issued token: one renewal in the node run, then every item says so, with no more token requests', async () => {
	knetik.server.answerWhen((request) => request.rawPath === '/auth/tokens', knetik.server.error(401, 'Invalid token', 'unauthorized'));
	try {
		const { run } = knetikList();
		const result = await n8n.run({ ...run, items: Array.from({ length: 100 }, () => ({})), continueOnFail: true });
		expect(knetik.server.requestsTo('/oauth/token')).toHaveLength(2);
		expect(listCalls()).toHaveLength(2);
		expect(new Set(result.items.map((item) => item.error?.message))).toEqual(
			new Set([credentialSays('Knetik Cloud refused the access token the credential had just been issued')]),
		);
	} finally {
		knetik.server.clearFaults();
	}
});

describe('a credential field set by an expression follows the node’s rules', () => {
	test('C2M Scopes resolving to nothing is refused, naming the credential field, and no token with every scope is asked for', async () => {
		const credential = n8n.addCredential('c2mShortTermTokenApi', {
			longTermToken: c2m.longTermToken(undefined, c2m.addClient().id),
			baseUrl: c2m.server.url,
			scopes: '={{ $json.scopes }}',
		});
		c2m.server.clearRequests();
		const result = await n8n.run({
			node: 'c2m',
			parameters: { resource: 'token', operation: 'revoke', authentication: 'shortTermToken', id: c2m.issueLongTermToken().id },
			credentials: { c2mShortTermTokenApi: credential },
			items: [{ scopes: 'tokens:revoke' }, {}],
			continueOnFail: true,
		});

		expect(result.items[0].error).toBeUndefined();
		expect(result.items[1].error?.message).toBe(
			`Scopes in the credential "${credential.name}" is set but resolved to nothing (undefined) for item 1`,
		);
		expect(result.items[1].error?.description).toContain('Nothing was sent to C2M');
		// One short-term token, for item 0's scope; none without scopes.
		expect(c2m.server.requestsTo('/auth/tokens/short').map((request) => request.body)).toEqual([{ scopes: ['tokens:revoke'] }]);
	});
});

describe('a credential keeps what the user stored', () => {
	test('a Password set by an expression is still the expression after the token is fetched, where n8n writes back what it resolved (n8n 1.x)', async () => {
		n8n.credentials.writesResolvedCredential = true;
		const user = knetik.addAdminUser();
		const credential = n8n.addCredential('knetikCloudPasswordOAuth2Api', {
			baseUrl: knetik.server.url,
			username: user.username,
			password: '={{ $json.password }}',
			clientId: KNETIK_PUBLIC_CLIENT,
		});
		const run: RunOptions = {
			node: 'knetikCloud',
			parameters: { authentication: 'password', resource: 'token', operation: 'getAll', limit: 1 },
			credentials: { knetikCloudPasswordOAuth2Api: credential },
			items: [{ password: user.password }, { password: user.password }, { password: user.password }],
		};

		const result = await n8n.run(run);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(3);
		expect(n8n.credentials.storedData(credential).password).toBe('={{ $json.password }}');
		// The token stays in this process: the next run sends it again without a token request.
		await n8n.run(run);
		expect(knetik.server.requestsTo('/oauth/token')).toHaveLength(1);
		expect(n8n.credentials.storedData(credential).password).toBe('={{ $json.password }}');
	});
});
