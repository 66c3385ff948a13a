/**
 * No secret shows up in an error or an item, however a provider echoes it back: URL-encoded,
 * base64 (on its own or as `Basic base64(key:secret)`), with its whitespace changed, cut off
 * by the message length limit; whichever field holds it (every password-type credential field,
 * a node's secret parameters); from this package's nodes and from its credentials used in
 * n8n's HTTP Request node; and not in the copy of the node an error carries.
 */
import fc from 'fast-check';
import type { ExecutionError, ICredentialDataDecryptedObject } from 'n8n-workflow';

import { redactSecrets } from '../nodes/shared/redaction';
import { createMocks } from '../scripts/mocks.ts';
import { N8nHarness, type RunResult } from './harness/n8n.ts';
import { CLOUD_API_KEY, IDENTITY_POOL_ID, SHARE_TOKEN } from '../scripts/mock/confluent.ts';
import { errorOf, harnessWithEverything, serveDuringTests } from './support.ts';

const { confluent, identityProvider: idp, runAi: runai, knetik, c2m } = createMocks();
const servers = [confluent.server, idp.server, runai.server, knetik.server, c2m.server];

let n8n: N8nHarness;

serveDuringTests(servers);
beforeEach(() => {
	n8n = harnessWithEverything();
});

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** Every way a provider may send a secret back, as the text it echoes. */
function echoes(secret: string, partner = 'client-id'): Array<[string, string]> {
	const longPrefix = 'x'.repeat(280);
	return [
		['as sent', `rejected: ${secret}`],
		['URL-encoded', `rejected: ${encodeURIComponent(secret)}`],
		['form-encoded', `body was password=${new URLSearchParams({ s: secret }).toString().slice(2)}&grant_type=password`],
		['lower-case percent escapes', `rejected: ${encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())}`],
		['base64', `rejected: ${base64(secret)}`],
		['URL-safe base64', `rejected: ${base64(secret).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`],
		['Basic base64(key:secret)', `header was Basic ${base64(`${partner}:${secret}`)}`],
		['Basic base64(secret:key)', `header was Basic ${base64(`${secret}:${partner}`)}`],
		['whitespace changed', `rejected: ${[...secret.trim()].join(' ')}`],
		['line-wrapped', `rejected: ${secret.replace(/(.{3})/g, '$1\n')}`],
		['cut off by the length limit', `${longPrefix}${secret}${secret}`],
	];
}

/** The texts n8n shows or keeps for a run: messages, descriptions, stacks, items, the node. */
function shownTexts(result: RunResult): string[] {
	const errors = [result.error, ...result.items.map((item) => item.error)].filter(Boolean) as ExecutionError[];
	return [
		...errors.flatMap((error) => [
			error.message,
			String(error.description ?? ''),
			String(error.stack ?? ''),
			JSON.stringify((error as { node?: unknown }).node ?? null),
			JSON.stringify((error as { messages?: unknown }).messages ?? null),
		]),
		...result.items.map((item) => JSON.stringify(item.json)),
	];
}

function expectHidden(result: RunResult, secret: string, echoed: string) {
	const core = secret.trim();
	for (const text of shownTexts(result)) {
		expect(text).not.toContain(core);
		expect(text).not.toContain(JSON.stringify(core).slice(1, -1));
		if (echoed.length >= 8) expect(text).not.toContain(echoed);
	}
}

describe('redactSecrets', () => {
	const secret = 'S3cr3t/+ value=ü';
	test.each(echoes(secret).filter(([form]) => form !== 'cut off by the length limit'))('hides a secret echoed %s', (_form, text) => {
		const redacted = redactSecrets(text, [secret]);
		expect(redacted).toContain('[redacted]');
		expect(redacted).not.toContain('S3cr3t');
		expect(redacted).not.toContain(base64(secret).slice(0, 8));
	});

	test('hides the first characters of a secret cut off at a length limit', () => {
		expect(redactSecrets('the value was S3cr3t/+ va…', [secret])).toBe('the value was [redacted]…');
		expect(redactSecrets('… value=ü was rejected', [secret])).toBe('…[redacted] was rejected');
	});

	test('searches a run of millions of base64 characters without failing, and still finds the secret in it', () => {
		const run = `${'x'.repeat(9_000_000)}${base64(`token=${secret}`)}`;
		const redacted = redactSecrets(`body: ${run}`, [secret]);
		expect(redacted.length).toBeLessThan(run.length);
	});

	test('leaves ordinary words alone, even when a secret ends or starts with them', () => {
		expect(redactSecrets('password rejected', ['runai-user-password'])).toBe('password rejected');
		expect(redactSecrets('HTTP 400 Bad Request', ['abc'])).toBe('HTTP 400 Bad Request');
	});
});

describe('errors from the nodes', () => {
	test('the Cloud API key (a password-type field whose name says no secret) is hidden', async () => {
		// Not 401: n8n answers a 401 by renewing the credential and sending again.
		confluent.server.failNext(400, `The API key ${CLOUD_API_KEY.key} is not valid`);
		const result = await n8n.run({
			node: 'confluentCloud',
			parameters: { resource: 'sharedToken', operation: 'getResources', token: SHARE_TOKEN },
			credentials: {
				confluentCloudApi: n8n.addCredential('confluentCloudApi', { ...apiKeyData(), baseUrl: confluent.server.url }),
			},
		});
		expect(errorOf(result).message).toBe('Confluent Cloud: The API key [redacted] is not valid');
		expectHidden(result, CLOUD_API_KEY.key, CLOUD_API_KEY.key);
	});

	test('the node an error carries has no secret parameter: Run:ai Create’s Client Secret', async () => {
		const secret = 'typed-into-the-node-secret';
		runai.server.failNext(400, 'Invalid client');
		const result = await n8n.run({
			node: 'runAi',
			parameters: { resource: 'token', operation: 'create', grantType: 'client_credentials', clientCredentialsFrom: 'node', clientId: 'app', clientSecret: secret },
			credentials: { runAiApi: n8n.addCredential('runAiApi', { baseUrl: runai.server.url, authentication: 'accessToken', accessToken: 'pasted' }) },
		});
		const { node } = errorOf(result) as unknown as { node: { parameters: Record<string, unknown> } };
		expect(node.parameters.clientSecret).toBe('[redacted]');
		expect(node.parameters.clientId).toBe('app');
		expectHidden(result, secret, secret);
	});

	test('… also on an error item under Continue On Fail, and on input errors', async () => {
		const secret = 'typed-into-the-node-secret';
		const result = await n8n.run({
			node: 'runAi',
			parameters: { resource: 'token', operation: 'create', grantType: 'client_credentials', clientCredentialsFrom: 'node', clientId: '  ', clientSecret: secret },
			credentials: { runAiApi: n8n.addCredential('runAiApi', { baseUrl: runai.server.url, authentication: 'accessToken', accessToken: 'pasted' }) },
			continueOnFail: true,
		});
		expect(result.items).toHaveLength(1);
		expect(result.items[0].error).toBeDefined();
		expectHidden(result, secret, secret);
	});
});

describe('refusals of an unknown operation', () => {
	// They leave as every other refusal does: a NodeApiError whose node copy was cleaned.
	test.each([false, true])('leave as a NodeApiError with no secret in it (Continue On Fail: %s)', async (continueOnFail) => {
		const secret = 'typed-into-the-node-secret';
		const result = await n8n.run({
			node: 'runAi',
			parameters: { resource: 'token', operation: 'purge', clientSecret: secret },
			credentials: { runAiApi: n8n.addCredential('runAiApi', { baseUrl: runai.server.url, authentication: 'accessToken', accessToken: 'pasted' }) },
			continueOnFail,
		});
		const error = continueOnFail ? result.items[0].error : result.error;
		expect(error?.name).toBe('NodeApiError');
		expect(error?.message).toContain('Operation "purge" is not one of this node’s choices');
		expectHidden(result, secret, secret);
		expect(runai.server.requests).toHaveLength(0);
	});
});

function apiKeyData(): ICredentialDataDecryptedObject {
	return { apiKey: CLOUD_API_KEY.key, apiSecret: CLOUD_API_KEY.secret };
}

describe('errors of the credentials in n8n’s HTTP Request node', () => {
	test('a Knetik token endpoint echoing the password', async () => {
		const password = 'knetik-password-echoed-1';
		knetik.server.failNext(401, `Bad credentials for password ${password}`, 'invalid_grant');
		const result = await n8n.sendWithCredential(
			'knetikCloudPasswordOAuth2Api',
			n8n.addCredential('knetikCloudPasswordOAuth2Api', { baseUrl: knetik.server.url, username: 'ada', password, clientId: 'web' }),
			{ url: `${knetik.server.url}/auth/tokens`, method: 'GET' },
		);
		expect(errorOf(result).message).toContain('Bad credentials for password [redacted]');
		expectHidden(result, password, password);
	});

	test('C2M echoing the long-term token; the identity provider echoing Basic base64(client:secret)', async () => {
		const longTermToken = c2m.longTermToken(undefined, c2m.addClient().id);
		c2m.server.failNext(401, `token ${longTermToken} is revoked`);
		const c2mResult = await n8n.sendWithCredential(
			'c2mShortTermTokenApi',
			n8n.addCredential('c2mShortTermTokenApi', { baseUrl: c2m.server.url, longTermToken }),
			{ url: `${c2m.server.url}/auth/tokens/x/revoke`, method: 'POST' },
		);
		expectHidden(c2mResult, longTermToken, longTermToken);

		const client = idp.addClient();
		const pool = { idpTokenUrl: `${idp.server.url}/oauth2/token`, clientId: client.id, clientSecret: client.secret, identityPoolId: IDENTITY_POOL_ID, baseUrl: confluent.server.url };
		idp.server.failNext(401, `secret ${base64(`${client.id}:${client.secret}`)} refused`, 'invalid_client');
		const idpResult = await n8n.sendWithCredential('confluentCloudIdentityPoolOAuth2Api', n8n.addCredential('confluentCloudIdentityPoolOAuth2Api', pool), {
			url: `${confluent.server.url}/org/v2/environments`,
			method: 'GET',
		});
		expectHidden(idpResult, client.secret, client.secret);

	});
});

/** Random secrets: any characters, lengths up to 120, at least 6 that are not whitespace. */
const anySecret = fc
	.oneof(
		fc.string({ unit: 'grapheme', minLength: 6, maxLength: 120 }),
		fc.string({ unit: 'binary-ascii', minLength: 6, maxLength: 120 }),
		fc.string({ unit: fc.constantFrom(...'aA0+/=%:_- \t.'), minLength: 6, maxLength: 60 }),
	)
	.filter((secret) => secret.replace(/\s+/g, '').length >= 6 && !secret.startsWith('='));

describe('fuzz: random secrets echoed in every encoding never show', () => {
	const runs = { numRuns: 25, seed: 20261201 };

	test('a node’s secret parameter (Run:ai Create’s Client Secret)', async () => {
		await fc.assert(
			fc.asyncProperty(anySecret, async (secret) => {
				for (const [, echoed] of echoes(secret, 'app')) {
					runai.server.failNext(400, echoed);
					const result = await n8n.run({
						node: 'runAi',
						parameters: { resource: 'token', operation: 'create', grantType: 'client_credentials', clientCredentialsFrom: 'node', clientId: 'app', clientSecret: secret },
						credentials: { runAiApi: n8n.addCredential('runAiApi', { baseUrl: runai.server.url, authentication: 'accessToken', accessToken: 'pasted' }) },
						continueOnFail: true,
					});
					expect(result.items[0]?.error).toBeDefined();
					expectHidden(result, secret, echoed);
				}
			}),
			runs,
		);
	});

	test('a credential’s secret in a node (the Confluent Cloud API secret)', async () => {
		const printable = anySecret.map((secret) => secret.replace(/[^\x20-\x7e]/g, 'q').replace(/:/g, ';'));
		await fc.assert(
			fc.asyncProperty(printable, async (secret) => {
				fc.pre(secret.replace(/\s+/g, '').length >= 6);
				for (const [, echoed] of echoes(secret, CLOUD_API_KEY.key)) {
					confluent.server.failNext(400, echoed);
					const result = await n8n.run({
						node: 'confluentCloud',
						parameters: { resource: 'sharedToken', operation: 'getResources', token: SHARE_TOKEN },
						credentials: {
							confluentCloudApi: n8n.addCredential('confluentCloudApi', { apiKey: CLOUD_API_KEY.key, apiSecret: secret, baseUrl: confluent.server.url }),
						},
					});
					expect(result.error).toBeDefined();
					expectHidden(result, secret, echoed);
				}
			}),
			runs,
		);
	});

	test('a credential’s token request in n8n’s HTTP Request node (the Knetik password)', async () => {
		await fc.assert(
			fc.asyncProperty(anySecret, async (password) => {
				for (const [, echoed] of echoes(password, 'web')) {
					knetik.server.failNext(400, echoed, 'invalid_grant');
					const result = await n8n.sendWithCredential(
						'knetikCloudPasswordOAuth2Api',
						n8n.addCredential('knetikCloudPasswordOAuth2Api', { baseUrl: knetik.server.url, username: 'ada', password, clientId: 'web' }),
						{ url: `${knetik.server.url}/auth/tokens`, method: 'GET' },
					);
					expect(result.error).toBeDefined();
					expectHidden(result, password, echoed);
				}
			}),
			runs,
		);
	});
});
