import { config } from '@n8n/node-cli/eslint';

/** Rules that describe a publishable community node, not code in general. */
const communityNodeRules = [...new Set(config.flatMap((block) => Object.keys(block.rules ?? {})))].filter(
	(rule) => rule.startsWith('@n8n/community-nodes/') || rule.startsWith('n8n-nodes-base/'),
);

export default [
	{ ignores: ['dist/**', '.cache/**', '.tmp/**', 'coverage/**'] },
	// The package itself: exactly the rules n8n's community-package scanner applies.
	...config,
	// Tests, mocks and scripts never ship: they use what a community node may not (n8n-core,
	// got, timers, process), so the community-node rules are lifted there and nowhere else.
	{
		files: ['test/**/*.ts', 'scripts/**/*.ts'],
		rules: Object.fromEntries(communityNodeRules.map((rule) => [rule, 'off'])),
	},
];
