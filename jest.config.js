/**
 * `npm test`: the in-process suites (n8n's engine, the mocks on loopback). The suites that
 * drive a real n8n have their own configs: jest.e2e.config.js and jest.queue.config.js.
 * @type {import('jest').Config}
 */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/', '<rootDir>/test/queue/'],
	transform: {
		// Type checking is `npm run typecheck`'s job (tsconfig sets isolatedModules, so ts-jest
		// only transpiles), which keeps the suite fast.
		'^.+\\.ts$': ['ts-jest', { diagnostics: false }],
	},
	setupFiles: ['<rootDir>/test/setup-env.ts'],
	testTimeout: 30_000,
};
