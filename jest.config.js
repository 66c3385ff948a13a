/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	// Queue mode starts PostgreSQL, Redis and three n8n processes: `npm run test:queue` runs it.
	testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/queue/'],
	transform: {
		// Type checking is `npm run typecheck`'s job (tsconfig sets isolatedModules, so ts-jest
		// only transpiles), which keeps the suite fast.
		'^.+\\.ts$': ['ts-jest', { diagnostics: false }],
	},
	setupFiles: ['<rootDir>/test/setup-env.ts'],
	testTimeout: 30_000,
};
