/**
 * `prepublishOnly`: `npm publish` goes ahead only in .github/workflows/publish.yml, started by
 * the tag of package.json's version, with --provenance, and with that version in CHANGELOG.md.
 * n8n requires community packages to be published from CI with an npm provenance statement;
 * a publish from a laptop would have none, and would skip the workflow's lint and tests.
 */
import { readFileSync } from 'node:fs';

const WORKFLOW = '.github/workflows/publish.yml';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
const tag = `v${version}`;
const env = process.env;

const refusals: string[] = [];
if (env.GITHUB_ACTIONS !== 'true' || !env.GITHUB_WORKFLOW_REF?.includes(`/${WORKFLOW}@`)) {
	refusals.push(`this is not GitHub Actions running ${WORKFLOW}`);
}
if (env.GITHUB_REF !== `refs/tags/${tag}`) {
	refusals.push(`the run was not started by the tag ${tag} (package.json's version)`);
}
// npm hands a `--provenance` flag to its scripts as npm_config_provenance.
if (env.npm_config_provenance !== 'true') {
	refusals.push('npm publish was not given --provenance');
}
if (!readFileSync('CHANGELOG.md', 'utf8').includes(`\n## [${version}]`)) {
	refusals.push(`CHANGELOG.md has no "## [${version}]" section`);
}

if (refusals.length > 0) {
	process.stderr.write(
		[
			`npm publish refused: ${version} is published only by ${WORKFLOW}, when the tag ${tag} is pushed,`,
			'so that every release is linted, tested and carries the npm provenance statement n8n requires.',
			...refusals.map((refusal) => `  - ${refusal}`),
			'How to release: README.md, section "Releasing".',
			'',
		].join('\n'),
	);
	process.exit(1);
}
