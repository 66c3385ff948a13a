/** The pieces of nodes/shared on their own, where a node test would not reach every case. */
import { describeHttpFailure, findHttpFailure, undocumentedAnswer } from '../nodes/shared/httpErrors';
import { redactSecrets } from '../nodes/shared/redaction';
import type { ApiProvider } from '../nodes/shared/provider';
import { inSeconds, isTimeout, timeoutOf } from '../nodes/shared/timeout';
import { storedSessionToken } from '../nodes/shared/storedToken';
import { accessTokenToSend, sessionToken, type IssuedToken } from '../nodes/shared/tokenSessions';
import { expiryAfterSeconds, expiryAtInstant, CLOCK_SKEW_ALLOWANCE_MS } from '../nodes/shared/tokenExpiry';
import { storedToken } from './support.ts';

const provider: ApiProvider = {
	displayName: 'Example',
	readErrorBody: (body) => ({ message: typeof body.message === 'string' ? body.message : undefined }),
	requestIdHeader: 'x-request-id',
	secretParameters: [],
};

describe('describeHttpFailure', () => {
	test('reads a JSON body that arrived as text', () => {
		const { message, description } = describeHttpFailure(provider, {
			status: 400,
			statusText: 'Bad Request',
			body: '{"message":"bad field"}',
			headers: { 'x-request-id': 'req-1' },
		});
		expect(message).toBe('Example: bad field');
		expect(description).toBe('Example said: "bad field" Status: HTTP 400 Bad Request. Request ID: req-1.');
	});

	test('ignores an HTML error page, and says so', () => {
		const { message, description } = describeHttpFailure(provider, {
			status: 502,
			statusText: 'Bad Gateway',
			body: '<html><body>Bad gateway</body></html>',
			headers: {},
		});
		expect(message).toBe('Example answered HTTP 502 Bad Gateway');
		expect(description).toContain('Example sent no error message.');
	});

	test('keeps a long provider message to one readable line', () => {
		const { message } = describeHttpFailure(provider, {
			status: 500,
			body: { message: `first line\n${'x'.repeat(1000)}` },
			headers: {},
		});
		expect(message.length).toBeLessThanOrEqual('Example: '.length + 300);
		expect(message).not.toContain('\n');
		expect(message.endsWith('…')).toBe(true);
	});

	test('reads Retry-After as seconds or as an HTTP date', () => {
		const inSeconds = describeHttpFailure(provider, { status: 429, body: '', headers: { 'retry-after': '7' } });
		expect(inSeconds.description).toContain('Retry in 7 seconds, or space the requests out with Settings > Request Options > Batching.');
		const date = new Date(Date.now() + 120_000).toUTCString();
		const asDate = describeHttpFailure(provider, { status: 429, body: '', headers: { 'retry-after': date } });
		expect(asDate.description).toMatch(/Retry in (119|120|121) seconds/);
		const unknown = describeHttpFailure(provider, { status: 429, body: '', headers: {} });
		expect(unknown.description).toContain('did not say when to retry');
	});
});

test('findHttpFailure finds the response however deep n8n wrapped it', () => {
	const transport = { message: 'Request failed', response: { status: 404, statusText: 'Not Found', data: { message: 'gone' }, headers: { a: 'b' } } };
	const wrapped = { message: 'wrapped', cause: { message: 'again', cause: transport } };
	expect(findHttpFailure(wrapped)).toEqual({ status: 404, statusText: 'Not Found', body: { message: 'gone' }, headers: { a: 'b' } });
	expect(findHttpFailure(new Error('no response'))).toBeUndefined();
});

test('redactSecrets hides every secret, longest first, and leaves short values alone', () => {
	expect(redactSecrets('token abcdef and abcdefgh, id 42', ['abcdef', 'abcdefgh', '42'])).toBe(
		'token [redacted] and [redacted], id 42',
	);
});

test('expiry from seconds (a number or a string) or from an ISO instant; nothing from neither', () => {
	const now = Date.now();
	expect(expiryAfterSeconds(60)! - now).toBeGreaterThanOrEqual(59_000);
	expect(expiryAfterSeconds('60')! - now).toBeGreaterThanOrEqual(59_000);
	for (const missing of [undefined, null, '', 'soon']) expect(expiryAfterSeconds(missing)).toBeUndefined();
	// An absolute expiry allows for the provider's clock being behind n8n's.
	expect(expiryAtInstant('2030-01-01T00:00:00Z')).toBe(Date.parse('2030-01-01T00:00:00Z') + CLOCK_SKEW_ALLOWANCE_MS);
	expect(expiryAtInstant(undefined)).toBeUndefined();
});

describe('sessionToken', () => {
	let fetches: number;
	let identity: unknown[];
	const fetchToken = (token: IssuedToken, delay = 5) => async () => {
		fetches += 1;
		await new Promise((resolve) => setTimeout(resolve, delay));
		return token;
	};
	// The clock is moved, not waited for: on a loaded machine a short real lifetime ends before the token arrives.
	const twoMinutesAfter = (now: number) => jest.spyOn(Date, 'now').mockReturnValue(now + 120_000);
	afterEach(() => jest.restoreAllMocks());
	/** The stored (bound) session token after preAuthentication ran with `held` stored. */
	const stored = async (held: string, id: unknown[], fetch: () => Promise<IssuedToken>) =>
		String((await sessionToken({ sessionToken: held }, id, fetch)).sessionToken);
	beforeEach(() => {
		fetches = 0;
		identity = ['test', Math.random()];
	});

	test('concurrent callers without a token share one fetch, and only the one that fetched has n8n store it', async () => {
		const results = await Promise.all(
			Array.from({ length: 10 }, () => sessionToken({ sessionToken: '' }, identity, fetchToken({ accessToken: 'A' }))),
		);
		expect(fetches).toBe(1);
		// n8n writes the credential only for an answer that holds the session token.
		expect(results.filter((result) => result.sessionToken !== undefined).map((result) => storedToken(result.sessionToken))).toEqual(['A']);
		expect(await accessTokenToSend({ sessionToken: '' }, identity)).toBe('A');
	});

	test('a token known to be dead is not sent: authenticate asks for a renewal instead', async () => {
		const now = Date.now();
		const dead = await stored('', identity, fetchToken({ accessToken: 'A', expiresAt: now + 60_000 }));
		twoMinutesAfter(now);
		await expect(accessTokenToSend({ sessionToken: dead }, identity)).rejects.toMatchObject({ response: { status: 401 } });
		const renewed = await stored(dead, identity, fetchToken({ accessToken: 'B', expiresAt: now + 3600_000 }));
		expect(storedToken(renewed)).toBe('B');
		expect(await accessTokenToSend({ sessionToken: dead }, identity)).toBe('B');
		expect(fetches).toBe(2);
	});

	test('a caller holding the rejected token gets a new one; callers holding an older one get the replacement', async () => {
		const a = await stored('', identity, fetchToken({ accessToken: 'A' }));
		expect(storedToken(await stored(a, identity, fetchToken({ accessToken: 'B' })))).toBe('B');
		expect(storedToken(await stored(a, identity, fetchToken({ accessToken: 'C' })))).toBe('B');
		expect(fetches).toBe(2);
	});

	test('an expired token is fetched again, and a failed fetch is not remembered', async () => {
		const now = Date.now();
		await stored('', identity, fetchToken({ accessToken: 'A', expiresAt: now + 60_000 }));
		twoMinutesAfter(now);
		expect(storedToken(await stored('', identity, fetchToken({ accessToken: 'B' })))).toBe('B');

		const other = ['test', 'failing'];
		await expect(stored('', other, async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
		expect(storedToken(await stored('', other, fetchToken({ accessToken: 'C' })))).toBe('C');
	});

	test('different credentials do not share tokens', async () => {
		await stored('', identity, fetchToken({ accessToken: 'A' }));
		expect(storedToken(await stored('', [...identity, 'other'], fetchToken({ accessToken: 'B' })))).toBe('B');
	});

	test('a stored token is bound to the values it was issued for, and is not given out for others', async () => {
		const a = await stored('', identity, fetchToken({ accessToken: 'A' }));
		expect(storedSessionToken({ sessionToken: a }, identity)?.accessToken).toBe('A');
		expect(storedSessionToken({ sessionToken: a }, [...identity, 'another host'])).toBeUndefined();
		// A token stored before tokens were bound (no fingerprint) is not sent anywhere.
		expect(storedSessionToken({ sessionToken: 'A' }, identity)).toBeUndefined();
	});

	test('a newer token that another n8n instance renewed and stored is sent, not the one this process holds', async () => {
		// Queue mode: every worker is its own process, with its own copy of this module; they share
		// only the credential in n8n's database, which each request reads anew.
		let otherWorker!: typeof import('../nodes/shared/tokenSessions');
		await jest.isolateModulesAsync(async () => {
			otherWorker = await import('../nodes/shared/tokenSessions');
		});
		await stored('', identity, fetchToken({ accessToken: 'A', expiresAt: Date.now() + 3600_000 }));
		// The provider dropped A; the other worker met the 401 first, renewed and stored B.
		const renewed = String(
			(await otherWorker.sessionToken({ sessionToken: '' }, identity, fetchToken({ accessToken: 'B', expiresAt: Date.now() + 7200_000 })))
				.sessionToken,
		);
		expect(await accessTokenToSend({ sessionToken: renewed }, identity)).toBe('B');
		// A copy of the credential read before that (A, renewed sooner) does not win over B.
		const older = renewed.replace(/@\d+:B$/, `@${Date.now() + 60_000}:A`);
		expect(await accessTokenToSend({ sessionToken: older }, identity)).toBe('B');
	});
});

describe('undocumentedAnswer', () => {
	const object = { status: 200, body: 'json object' } as const;

	test('accepts the documented status with the documented kind of body, nothing else', () => {
		expect(undocumentedAnswer(provider, object, { status: 200, headers: {}, body: { a: 1 } })).toBeUndefined();
		expect(undocumentedAnswer(provider, { status: 204, body: 'empty' }, { status: 204, headers: {}, body: '' })).toBeUndefined();
		expect(undocumentedAnswer(provider, { status: 204, body: 'empty' }, { status: 204, headers: {}, body: undefined })).toBeUndefined();
		expect(undocumentedAnswer(provider, object, { status: 200, headers: {}, body: [{ a: 1 }] })).toBeDefined();
		expect(undocumentedAnswer(provider, object, { status: 200, headers: {}, body: 'null' })).toBeDefined();
		expect(undocumentedAnswer(provider, object, { status: 201, headers: {}, body: { a: 1 } })).toBeDefined();
		expect(undocumentedAnswer(provider, { status: 204, body: 'empty' }, { status: 204, headers: {}, body: ' ' })).toBeDefined();
	});

	test('shows the status, the content type and the first 120 characters on one line', () => {
		const page = `<html>\n${'x'.repeat(300)}</html>`;
		const wrong = undocumentedAnswer(provider, object, {
			status: 200,
			headers: { 'content-type': 'text/html; charset=utf-8' },
			body: Buffer.from(page),
		});
		expect(wrong?.message).toBe('Example answered HTTP 200 with text/html, not the documented HTTP 200 with a JSON object');
		expect(wrong?.description).toContain(`Content-Type: text/html, a body that starts with: "<html> ${'x'.repeat(113)}…"`);
	});

	test('hides secrets before the body is cut, so no cut-off secret is left', () => {
		const secret = 'the-echoed-client-secret';
		const answer = { status: 200, headers: { 'content-type': 'text/plain' }, body: `${'x'.repeat(110)}${secret}` };
		expect(undocumentedAnswer(provider, object, answer)?.description).toContain(secret.slice(0, 10));
		const wrong = undocumentedAnswer(provider, object, answer, [secret]);
		expect(wrong?.description).toContain(`${'x'.repeat(110)}[redacted]`);
		expect(wrong?.description).not.toContain(secret.slice(0, 4));
	});
});

test('timeouts: recognised through n8n’s wrapping, with how long they waited', () => {
	const axiosTimeout = Object.assign(new Error('timeout of 1500ms exceeded'), { code: 'ECONNABORTED', config: { timeout: 1500 } });
	const wrapped = Object.assign(new Error('The connection was aborted, perhaps the server is offline'), { cause: axiosTimeout });
	expect(isTimeout(wrapped)).toBe(true);
	expect(timeoutOf(wrapped)).toBe(1500);
	expect(timeoutOf(new Error('timeout of 2500ms exceeded'))).toBe(2500);
	expect(isTimeout(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(false);
	expect([inSeconds(30_000), inSeconds(1000), inSeconds(500)]).toEqual(['30 seconds', '1 second', '0.5 seconds']);
});
