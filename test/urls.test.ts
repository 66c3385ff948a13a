/**
 * Base and token URLs: trimmed; refused, naming the field and before anything is sent, when
 * they carry user:password@, a query, a fragment, another scheme, or plain http:// to another
 * machine without the credential's explicit "Allow Unencrypted HTTP (Insecure)".
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { checkedUrl } from '../nodes/shared/urls';
import { N8nHarness } from './harness/n8n.ts';
import { CLOUD_API_KEY, ConfluentMock, IDENTITY_POOL_ID, SHARE_TOKEN } from '../scripts/mock/confluent.ts';
import { IDP_CLIENT, IdentityProviderMock } from '../scripts/mock/identityProvider.ts';
import { MockServer } from '../scripts/mock/server.ts';
import { errorOf, everythingShown, harnessWithEverything, serveDuringTests } from './support.ts';

const confluent = new ConfluentMock();
const idp = new IdentityProviderMock();
confluent.trustsSubjectToken = (token) => idp.issuedToken(token);
/** Stands in for every API here: any request reaching it means a refused address was used. */
const target = new MockServer({ name: 'target', routes: [], errorBody: (_status, message) => ({ message }) });
const servers = [confluent.server, idp.server, target];

let n8n: N8nHarness;

serveDuringTests(servers);
beforeEach(() => {
	n8n = harnessWithEverything();
	confluent.shareTokens.set(SHARE_TOKEN, { redeemed: false });
});

describe('checkedUrl', () => {
	const field = 'Base URL';
	test('trims spaces and trailing slashes; https anywhere and http on this machine pass', () => {
		expect(checkedUrl('  https://api.example.com/v2/  ', field, false)).toBe('https://api.example.com/v2');
		for (const local of ['http://localhost:5678', 'http://127.0.0.1:1', 'http://127.8.9.10', 'http://[::1]:80']) {
			expect(checkedUrl(local, field, false)).toBe(local);
		}
		expect(checkedUrl('http://api.example.com', field, true)).toBe('http://api.example.com');
	});

	test.each([
		['', 'Base URL is required'],
		['   ', 'Base URL is required'],
		['api.example.com', 'Base URL is not a valid address: write it like https://api.example.com'],
		['ftp://api.example.com', 'Base URL must start with https://'],
		['javascript:alert(1)', 'Base URL must start with https://'],
		['https://user:secret-pw@api.example.com', 'Base URL must not contain a user name or password (user:password@): the credential sends its own'],
		['https://user@api.example.com', 'Base URL must not contain a user name or password (user:password@): the credential sends its own'],
		['https://api.example.com/?password=secret-pw', 'Base URL must not contain a query (?...)'],
		['https://api.example.com/?', 'Base URL must not contain a query (?...)'],
		['https://api.example.com/#x', 'Base URL must not contain a fragment (#...)'],
		['http://api.example.com', 'Base URL uses unencrypted http://, which would send the credential’s secrets in clear text: use https://, or turn on Allow Unencrypted HTTP (Insecure) in the credential'],
		['http://0.0.0.0:80', 'Base URL uses unencrypted http://'],
	])('%j is refused: %s', (value, message) => {
		expect(() => checkedUrl(value, field, false)).toThrow(message);
	});
});

/** Each credential with its base URL replaced, and the request that tries to use it. */
const credentialCases: Array<[string, (baseUrl: string) => ICredentialDataDecryptedObject]> = [
	['confluentCloudApi', (baseUrl) => ({ apiKey: CLOUD_API_KEY.key, apiSecret: CLOUD_API_KEY.secret, baseUrl })],
	[
		'confluentCloudIdentityPoolOAuth2Api',
		(baseUrl) => ({ idpTokenUrl: `${idp.server.url}/oauth2/token`, clientId: IDP_CLIENT.id, clientSecret: IDP_CLIENT.secret, identityPoolId: IDENTITY_POOL_ID, baseUrl }),
	],
	['runAiApi', (baseUrl) => ({ baseUrl, authentication: 'clientCredentials', clientId: 'client', clientSecret: 'runai-secret-x' })],
	['runAiApi', (baseUrl) => ({ baseUrl, authentication: 'accessToken', accessToken: 'pasted-token-x' })],
	['knetikCloudOAuth2Api', (baseUrl) => ({ baseUrl, clientId: 'client', clientSecret: 'knetik-secret-x' })],
	['knetikCloudPasswordOAuth2Api', (baseUrl) => ({ baseUrl, username: 'ada', password: 'knetik-password-x', clientId: 'web' })],
	['c2mClientKeyApi', (baseUrl) => ({ baseUrl, clientId: 'client', clientSecret: 'c2m-secret-x' })],
	['c2mLongTermTokenApi', (baseUrl) => ({ baseUrl, longTermToken: 'lt_token-x' })],
	['c2mShortTermTokenApi', (baseUrl) => ({ baseUrl, longTermToken: 'lt_token-y' })],
];

describe.each(credentialCases)('credential %s', (type, data) => {
	const host = () => target.url.replace('http://', '');
	test.each([
		['user:password@', () => `http://user:pw-in-url@${host()}`, 'Base URL must not contain a user name or password'],
		['a query', () => `${target.url}/?password=pw-in-url`, 'Base URL must not contain a query'],
		['a fragment', () => `${target.url}/#pw-in-url`, 'Base URL must not contain a fragment'],
		['http:// to another machine', () => target.url.replace('127.0.0.1', '0.0.0.0'), 'Base URL uses unencrypted http://'],
	])('a base URL with %s is refused before anything is sent', async (_what, baseUrl, message) => {
		const url = baseUrl();
		const result = await n8n.sendWithCredential(type, n8n.addCredential(type, data(url)), {
			url: `${url.replace(/[?#].*$/, '')}/any/path`,
			method: 'GET',
		});
		expect(target.requests).toEqual([]);
		expect(errorOf(result).message).toContain(message);
		expect(everythingShown(result)).not.toContain('pw-in-url');
	});
});

describe('the Confluent Cloud node', () => {
	const redeem = (credential: ICredentialDataDecryptedObject) => ({
		node: 'confluentCloud',
		parameters: { resource: 'sharedToken', operation: 'getResources', token: SHARE_TOKEN },
		credentials: { confluentCloudApi: n8n.addCredential('confluentCloudApi', credential) },
	});
	const key = { apiKey: CLOUD_API_KEY.key, apiSecret: CLOUD_API_KEY.secret };

	test('a base URL with spaces around it and a trailing slash works', async () => {
		const result = await n8n.run(redeem({ ...key, baseUrl: `  ${confluent.server.url}/  ` }));
		expect(result.error).toBeUndefined();
		expect(confluent.server.requests.map((r) => r.rawPath)).toEqual(['/cdx/v1/shared-tokens:resources']);
	});

	test('a refused base URL stops the item before anything is sent, naming the field', async () => {
		const result = await n8n.run(redeem({ ...key, baseUrl: confluent.server.url.replace('127.0.0.1', '0.0.0.0') }));
		// Raised as the input errors are (n8n's routing engine hands every item error on as a NodeApiError).
		const error = errorOf(result);
		expect(error.message).toMatch(/^Base URL uses unencrypted http:\/\//);
		expect(error.description).toMatch(/^Nothing was sent\./);
		expect(confluent.server.requests).toEqual([]);
	});

	test('with Allow Unencrypted HTTP (Insecure) ticked, plain http:// to another machine is used', async () => {
		const result = await n8n.run(
			redeem({ ...key, baseUrl: confluent.server.url.replace('127.0.0.1', '0.0.0.0'), allowUnencryptedHttp: true }),
		);
		expect(result.error).toBeUndefined();
		expect(confluent.server.requests).toHaveLength(1);
	});
});

test('the identity provider token URL is checked too, and named', async () => {
	const result = await n8n.sendWithCredential(
		'confluentCloudIdentityPoolOAuth2Api',
		n8n.addCredential('confluentCloudIdentityPoolOAuth2Api', {
			idpTokenUrl: `${idp.server.url.replace('127.0.0.1', '0.0.0.0')}/oauth2/token`,
			clientId: IDP_CLIENT.id,
			clientSecret: IDP_CLIENT.secret,
			identityPoolId: IDENTITY_POOL_ID,
			baseUrl: confluent.server.url,
		}),
		{ url: `${confluent.server.url}/org/v2/environments`, method: 'GET' },
	);
	expect(errorOf(result).message).toContain('Identity Provider Token URL uses unencrypted http://');
	expect(idp.server.requests).toEqual([]);
	expect(confluent.server.requests).toEqual([]);
});
