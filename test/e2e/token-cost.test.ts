/**
 * What token-managing credentials cost a real n8n (2.41.1, `n8n execute`) at 100 items, from
 * this package's nodes and from n8n's HTTP Request node (see tokenCost.ts): 1 token request,
 * at most 3 credential writes to n8n's database and at most one 401 per execution, on first
 * use and after the server dropped the token. n8n's HTTP Request node has several requests on
 * their way with the dropped token before the first 401 comes back, which only it could avoid:
 * from it, each of those is one 401 (and one write).
 */
import { startRealN8n, type RealN8n } from './n8n-cli.ts';
import { measureTokenCosts } from './tokenCost.ts';

let n8n: RealN8n;

beforeAll(async () => {
	n8n = await startRealN8n();
}, 600_000);

afterAll(async () => {
	await n8n?.stop();
});

test('100 items: one token request, at most 3 credential writes and one 401 per execution, for every caller, also when the credential is refused or its token arrives expired', async () => {
	const costs = await measureTokenCosts(n8n, 100);
	process.stdout.write(`${costs.map((cost) => JSON.stringify(cost)).join('\n')}\n`);
	for (const cost of costs) {
		const seen = `${cost.caller} with ${cost.credentialType}: ${JSON.stringify(cost)}`;
		expect({ seen, ...cost.firstUse }).toEqual({ seen, tokenRequests: 1, writes: expect.any(Number), refused: 0 });
		expect({ seen, ...cost.afterServerDroppedToken }).toEqual({ seen, tokenRequests: 1, writes: expect.any(Number), refused: expect.any(Number) });
		expect(cost.firstUse.writes).toBeLessThanOrEqual(3);
		expect(cost.afterServerDroppedToken.writes).toBeLessThanOrEqual(3);
		expect(cost.afterServerDroppedToken.refused).toBeLessThanOrEqual(cost.caller === 'HTTP Request node' ? 3 : 1);
		// Refused, or issued already expired: one token request, nothing written, no API call.
		expect({ seen, ...cost.refusedCredential }).toEqual({ seen, tokenRequests: 1, writes: 0, refused: 0 });
		expect({ seen, ...cost.expiredOnIssue }).toEqual({ seen, tokenRequests: 1, writes: 0, refused: 0 });
	}
}, 600_000);
