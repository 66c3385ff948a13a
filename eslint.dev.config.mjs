import { config } from '@n8n/node-cli/eslint';

/**
 * Tests, mocks and scripts: the code rules of n8n's config (JavaScript, TypeScript, imports,
 * no console), without the rules that describe a publishable community node. This code never
 * ships, and it needs what a node may not use (n8n-core, got, timers, process). The package
 * itself is linted by eslint.config.mjs, which stays n8n's default for Cloud eligibility.
 */
const communityNodeRules = [...new Set(config.flatMap((block) => Object.keys(block.rules ?? {})))].filter(
	(rule) => rule.startsWith('@n8n/community-nodes/') || rule.startsWith('n8n-nodes-base/'),
);

export default [
	...config,
	{
		files: ['**/*.ts'],
		rules: Object.fromEntries(communityNodeRules.map((rule) => [rule, 'off'])),
	},
];
