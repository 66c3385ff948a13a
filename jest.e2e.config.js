/**
 * `npm run test:e2e` (n8n 2.x) and `npm run test:e2e:n8n1` (N8N_E2E_VERSION=1.123.81): the
 * suites that drive a real n8n, installed on first use (scripts/n8n.ts).
 */
const base = require('./jest.config.js');

const n8n1 = (process.env.N8N_E2E_VERSION ?? '').startsWith('1.');

/** @type {import('jest').Config} */
module.exports = {
	...base,
	roots: ['<rootDir>/test/e2e'],
	// That suite runs n8n 2.x's HTTP Request node on this repository's n8n-core, which is 2.x.
	testPathIgnorePatterns: ['/node_modules/', ...(n8n1 ? ['token-sessions-http-request'] : [])],
};
