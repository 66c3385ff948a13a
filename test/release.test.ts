/**
 * The prepublishOnly guard (scripts/release-guard.ts): `npm publish` goes ahead in the release
 * workflow only, for the tag of the package's version, with provenance and a CHANGELOG entry.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const guard = resolve(__dirname, '..', 'scripts', 'release-guard.ts');

/** What GitHub Actions and npm set when publish.yml runs `npm publish --provenance` for v1.2.3. */
const releaseWorkflow = {
	GITHUB_ACTIONS: 'true',
	GITHUB_WORKFLOW_REF: 'owner/repo/.github/workflows/publish.yml@refs/tags/v1.2.3',
	GITHUB_REF: 'refs/tags/v1.2.3',
	npm_config_provenance: 'true',
};

let folder: string;

beforeEach(() => {
	folder = mkdtempSync(join(tmpdir(), 'release-guard-'));
	writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: 'n8n-nodes-token-lifecycle', version: '1.2.3' }));
	writeFileSync(join(folder, 'CHANGELOG.md'), '# Changelog\n\n## [Unreleased]\n\n## [1.2.3] - 2026-12-01\n\n### Added\n');
});

afterEach(() => rmSync(folder, { recursive: true, force: true }));

function runGuard(env: Record<string, string | undefined>) {
	// Without the runner's own variables, so a run inside GitHub Actions tests the same thing.
	const base = Object.fromEntries(
		Object.entries(process.env).filter(([name]) => !name.startsWith('GITHUB_') && name.toLowerCase() !== 'npm_config_provenance'),
	);
	const result = spawnSync(process.execPath, ['--disable-warning=MODULE_TYPELESS_PACKAGE_JSON', guard], {
		cwd: folder,
		env: { ...base, ...env },
		encoding: 'utf8',
	});
	return { status: result.status, stderr: result.stderr };
}

test('lets npm publish go ahead in the release workflow, for the version’s tag, with provenance', () => {
	expect(runGuard(releaseWorkflow)).toEqual({ status: 0, stderr: '' });
});

test('refuses a local publish, saying where releases come from and everything that is missing', () => {
	const { status, stderr } = runGuard({});
	expect(status).toBe(1);
	expect(stderr).toContain('npm publish refused: 1.2.3 is published only by .github/workflows/publish.yml, when the tag v1.2.3 is pushed');
	expect(stderr).toContain('- this is not GitHub Actions running .github/workflows/publish.yml');
	expect(stderr).toContain('- the run was not started by the tag v1.2.3');
	expect(stderr).toContain('- npm publish was not given --provenance');
	expect(stderr).not.toContain('CHANGELOG.md');
});

test.each([
	['another workflow', { GITHUB_WORKFLOW_REF: 'owner/repo/.github/workflows/ci.yml@refs/tags/v1.2.3' }, 'this is not GitHub Actions running'],
	['another tag', { GITHUB_REF: 'refs/tags/v1.2.4' }, 'the run was not started by the tag v1.2.3'],
	['a branch', { GITHUB_REF: 'refs/heads/main' }, 'the run was not started by the tag v1.2.3'],
	['no --provenance', { npm_config_provenance: undefined }, 'npm publish was not given --provenance'],
])('refuses a publish from the workflow with %s', (_case, change, reason) => {
	const { status, stderr } = runGuard({ ...releaseWorkflow, ...change });
	expect(status).toBe(1);
	const refusals = stderr.split('\n').filter((line) => line.startsWith('  - '));
	expect(refusals).toHaveLength(1);
	expect(refusals[0]).toContain(reason);
});

test('refuses a version without its CHANGELOG section', () => {
	writeFileSync(join(folder, 'CHANGELOG.md'), '# Changelog\n\n## [Unreleased]\n\n- [1.2.3] is mentioned, not a section\n');
	const { status, stderr } = runGuard(releaseWorkflow);
	expect(status).toBe(1);
	expect(stderr).toContain('- CHANGELOG.md has no "## [1.2.3]" section');
});
