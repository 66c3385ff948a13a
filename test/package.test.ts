/**
 * What n8n's Community Nodes panel installs: `npm test` builds first, so these checks look at
 * the dist/ folder that would be published.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

import { resolveOutputSchemaPath } from 'n8n-core';
import {
	NodeHelpers,
	type ICredentialType,
	type INodeProperties,
	type INodePropertyOptions,
	type INodeType,
} from 'n8n-workflow';

const root = resolve(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const requireBuilt = createRequire(__filename);

/** An instance of the class a built file exports, as n8n's loader would create it. */
function load<T>(distPath: string): T {
	const module = requireBuilt(join(root, distPath)) as Record<string, new () => T>;
	const [Class] = Object.values(module).filter((value) => typeof value === 'function');
	return new Class();
}

/** The value n8n's editor uses for "Custom API Call", which runs no operation of its own. */
const CUSTOM_API_CALL = '__CUSTOM_API_CALL__';

function optionValues(property: INodeProperties): string[] {
	return ((property.options ?? []) as INodePropertyOptions[])
		.map((option) => String(option.value))
		.filter((value) => value !== CUSTOM_API_CALL);
}

/** Every resource/operation pair the node offers, from its Resource and Operation selectors. */
function operationsOf(node: INodeType): Array<[resource: string, operation: string]> {
	const { properties } = node.description;
	const resources = properties.filter((p) => p.name === 'resource').flatMap(optionValues);
	return resources.flatMap((resource) =>
		properties
			.filter((p) => p.name === 'operation' && (p.displayOptions?.show?.resource ?? []).includes(resource))
			.flatMap(optionValues)
			.map((operation): [string, string] => [resource, operation]),
	);
}

function filesUnder(folder: string): string[] {
	if (!existsSync(folder)) return [];
	return readdirSync(folder, { recursive: true, withFileTypes: true })
		.filter((entry) => entry.isFile())
		.map((entry) => join(entry.parentPath, entry.name));
}

function iconFiles(icon: unknown, from: string): string[] {
	const { light, dark } = icon as { light: string; dark: string };
	return [light, dark].map((path) => resolve(from, path.replace(/^file:/, '')));
}

test('package.json follows n8n’s community package conventions', () => {
	expect(pkg.name).toBe('n8n-nodes-token-lifecycle');
	expect(pkg.keywords).toContain('n8n-community-node-package');
	expect(pkg.license).toBe('MIT');
	expect(pkg.files).toEqual(['dist']);
	expect(pkg.dependencies ?? {}).toEqual({});
	expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
	expect(pkg.n8n.n8nNodesApiVersion).toBe(1);
});

test('the tarball holds only what n8n loads: compiled code, codex and schema JSON, icons, README, LICENSE', () => {
	const packed = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
	expect(packed.status).toBe(0);
	const files: string[] = JSON.parse(packed.stdout)[0].files.map((file: { path: string }) => file.path);
	const unloaded = files.filter(
		(path) => !['package.json', 'README.md', 'LICENSE.md'].includes(path) && !/^dist\/.+\.(js|json|svg|png)$/.test(path),
	);
	expect(unloaded).toEqual([]);
	for (const path of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) expect(files).toContain(path);
});

test('imports zod only as zod/v3, the API that every tested n8n line ships under that name', () => {
	// The package declares no zod: n8n resolves it to its own copy, whose main export may be
	// zod 4 in a later n8n (other messages from the same rules). zod 3.25+ and 4 both serve the
	// v3 API as `zod/v3`; n8n 2.41.1 ships zod 3.25.76 and n8n 1.123.81 zod 3.25.67.
	const imported = filesUnder(join(root, 'dist'))
		.filter((file) => file.endsWith('.js'))
		.flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/require\("(zod[^"]*)"\)/g)].map((match) => match[1]));
	expect(new Set(imported)).toEqual(new Set(['zod/v3']));
});

/** The words a user reads in the editor: every label, action, description, hint and placeholder. */
function shownTexts(value: unknown): string[] {
	if (Array.isArray(value)) return value.flatMap(shownTexts);
	if (value === null || typeof value !== 'object') return [];
	const shownKeys = ['displayName', 'name', 'action', 'description', 'hint', 'placeholder'];
	return Object.entries(value).flatMap(([key, child]) => {
		if (typeof child === 'string') return shownKeys.includes(key) ? [child] : [];
		return key === 'routing' ? [] : shownTexts(child);
	});
}

/** Names the package no longer uses for a thing that has one name now. */
const RETIRED_NAMES = /Expires In|Time to Live|Shared Token|App ID|Exchange Token grant/;
/** An API path such as `POST /v1/k8s/auth/oauth/apptoken`: users pick operations, not endpoints. */
const API_PATH = /(^|\s)\/(api|v\d|auth|cdx|sts)\//;
const misnamed = (texts: string[]) => texts.filter((text) => RETIRED_NAMES.test(text) || API_PATH.test(text));

describe.each(pkg.n8n.nodes as string[])('node %s', (distPath) => {
	const node = load<INodeType>(distPath);
	const folder = dirname(join(root, distPath));

	test('is built, with its codex file and distinct light and dark icons', () => {
		const codex = JSON.parse(readFileSync(join(root, distPath.replace(/\.js$/, '.json')), 'utf8'));
		expect(codex.node).toBe(`n8n-nodes-token-lifecycle.${node.description.name}`);
		expect(codex.categories.length).toBeGreaterThan(0);
		const icons = iconFiles(node.description.icon, folder);
		expect(icons[0]).not.toBe(icons[1]);
		for (const icon of icons) expect(existsSync(icon)).toBe(true);
	});

	test('can be used as an AI tool, with an action on every operation', () => {
		expect(node.description.usableAsTool).toBe(true);
		const operations = node.description.properties.filter((p) => p.name === 'operation');
		expect(operations.length).toBeGreaterThan(0);
		for (const property of operations) {
			for (const option of property.options as Array<{ action?: string; description?: string }>) {
				expect(option.action).toMatch(/^[A-Z][a-z]/);
				expect(option.description?.length).toBeGreaterThan(20);
			}
		}
	});

	test('opens on an operation that reads where it has one: dragged in and run, it creates nothing', () => {
		const readsFirst: Record<string, string> = { confluentCloud: 'getResources', knetikCloud: 'getAll' };
		const expected = readsFirst[node.description.name];
		if (expected === undefined) return; // every operation of Run:ai and C2M issues a token
		const resource = node.description.properties.find((p) => p.name === 'resource')?.default;
		const operation = node.description.properties.find(
			(p) => p.name === 'operation' && (p.displayOptions?.show?.resource ?? [resource]).includes(resource as string),
		);
		expect(operation?.default).toBe(expected);
	});

	test('shows its Resource and Operation selectors in n8n’s editor', () => {
		// n8n's editor (nodeTypesUtils.isAuthRelatedParameter) hides every field that a field
		// choosing the credential depends on; an Authentication field shown per operation would
		// hide the Operation selector. test/e2e/editor.test.ts checks the real editor.
		const credentialFields = new Set(
			(node.description.credentials ?? []).flatMap((credential) => Object.keys(credential.displayOptions?.show ?? {})),
		);
		const hidden = node.description.properties
			.filter((property) => credentialFields.has(property.name))
			.flatMap((property) => Object.keys(property.displayOptions?.show ?? {}));
		expect(hidden).toEqual([]);
	});

	test('names itself after the chosen action in the editor, Custom API Call included', () => {
		// n8n adds its own nameless "Custom API Call" to any Resource or Operation list that does
		// not end with one; the editor then renamed the node `__CUSTOM_API_CALL__ token`.
		const lists = node.description.properties.filter((p) => p.name === 'resource' || p.name === 'operation');
		for (const list of lists) {
			expect((list.options as Array<{ name: string }>).at(-1)?.name).toBe('Custom API Call');
		}
		for (const resource of new Set(lists.flatMap((list) => (list.displayOptions?.show?.resource as string[]) ?? []))) {
			const name = (operation: string) =>
				NodeHelpers.makeNodeName({ resource, operation }, node.description);
			expect(name('__CUSTOM_API_CALL__')).toBe('Make a custom API call');
		}
		expect(NodeHelpers.makeNodeName({ resource: '__CUSTOM_API_CALL__', operation: '__CUSTOM_API_CALL__' }, node.description)).toBe(
			'Make a custom API call',
		);
	});

	describe('serves an output schema for every operation', () => {
		// n8n's editor asks GET /schemas/<package>.<node>/<version>/<resource>/<operation>.json;
		// the server (loadNodesAndCredentials.resolveSchema) answers with the file n8n-core's
		// resolveOutputSchemaPath names beside the node's compiled file, or 404.
		const operations = operationsOf(node);
		const versions = [node.description.version].flat();
		const schemaFolder = join(folder, '__schema__');

		test('has operations to check', () => {
			expect(operations.length).toBeGreaterThan(0);
		});

		describe.each(versions)('version %s', (version) => {
			test.each(operations)('%s / %s', (resource, operation) => {
				const file = resolveOutputSchemaPath({ nodeDir: folder, version, resource, operation });
				expect(file).toBeDefined();
				expect(existsSync(file!)).toBe(true);
				const text = readFileSync(file!, 'utf8');
				const schema = JSON.parse(text);
				expect(schema.type).toBe('object');
				expect(Object.keys(schema.properties ?? {}).length).toBeGreaterThan(0);
				// The build copies the source file as it is: no stale or hand-made file in dist/.
				const source = join(root, relative(join(root, 'dist'), file!));
				expect(existsSync(source)).toBe(true);
				expect(readFileSync(source, 'utf8')).toBe(text);
			});
		});

		test('has schema files for exactly its operations, no more', () => {
			const served = versions.flatMap((version) =>
				operations.map(([resource, operation]) =>
					resolveOutputSchemaPath({ nodeDir: folder, version, resource, operation }),
				),
			);
			expect(filesUnder(schemaFolder).sort()).toEqual(served.sort());
		});
	});

	test('makes n8n evaluate no expression of its own per item: routing and request defaults are plain values and code', () => {
		// n8n evaluates every expression in a node's routing once per item (the URL, a value to
		// send, an output to set), at about 1 ms each under n8n 2.x's expression engine: the
		// Knetik Get path alone cost 2 ms per item. Code does the same in preSend, postReceive
		// and the operation's own hook (operation.ts). It also spares n8n 1.x, which evaluates
		// an option's routing without $credentials (C2M Issue Long-Term lost its client_id).
		const expressions: string[] = [];
		const collect = (value: unknown, path: string) => {
			if (typeof value === 'string' && value.startsWith('=')) expressions.push(`${path}: ${value}`);
			else if (value && typeof value === 'object') {
				for (const [key, inner] of Object.entries(value)) collect(inner, `${path}.${key}`);
			}
		};
		const routingOf = (property: unknown, path: string): void => {
			if (!property || typeof property !== 'object') return;
			for (const [key, inner] of Object.entries(property)) {
				if (key === 'routing') collect(inner, `${path}.routing`);
				else routingOf(inner, `${path}.${key}`);
			}
		};
		routingOf(node.description.properties, 'properties');
		collect(node.description.requestDefaults, 'requestDefaults');
		expect(expressions).toEqual([]);
	});

	test('uses one name for each thing and shows no raw API path', () => {
		expect(misnamed(shownTexts(node.description.properties))).toEqual([]);
	});

	test('lists only credentials the package ships', () => {
		const shipped = (pkg.n8n.credentials as string[]).map((path) => load<ICredentialType>(path).name);
		for (const credential of node.description.credentials ?? []) {
			expect(shipped).toContain(credential.name);
		}
	});
});

describe.each(pkg.n8n.credentials as string[])('credential %s', (distPath) => {
	const credential = load<ICredentialType>(distPath);

	test('is built, has a test request and distinct light and dark icons', () => {
		expect(credential.name).toMatch(/Api$/);
		expect(credential.test?.request.url).toBeTruthy();
		const icons = iconFiles(credential.icon, dirname(join(root, distPath)));
		expect(icons[0]).not.toBe(icons[1]);
		for (const icon of icons) expect(existsSync(icon)).toBe(true);
	});
	test('describes every field it shows, in the names the nodes use', () => {
		const shown = credential.properties.filter((property) => !['hidden', 'notice'].includes(property.type));
		expect(shown.filter((property) => !property.description).map((property) => property.displayName)).toEqual([]);
		expect(misnamed(shownTexts(credential.properties))).toEqual([]);
	});
});

test('every "Settings > Request Options > …" label the package writes names an option n8n’s loader puts there, and no retired name is left', () => {
	const { DirectoryLoader } = createRequire(__filename)('n8n-core') as typeof import('n8n-core');
	const load = createRequire(__filename);
	const shown = new Set<string>();
	for (const distPath of pkg.n8n.nodes as string[]) {
		const className = distPath.split('/').pop()!.split('.')[0];
		const node = new (load(join(root, distPath)) as Record<string, new () => INodeType>)[className]();
		DirectoryLoader.applyDeclarativeNodeOptionParameters(node);
		const requestOptions = node.description.properties.find((property) => property.name === 'requestOptions');
		expect(requestOptions?.displayName).toBe('Request Options');
		for (const option of (requestOptions?.options ?? []) as INodeProperties[]) shown.add(option.displayName);
	}
	const folders = ['docs', 'nodes', 'credentials', 'examples'].flatMap((folder) => filesUnder(join(root, folder)));
	const texts = ['README.md', 'CONTRIBUTING.md', ...folders]
		.map((file) => resolve(root, file))
		.filter((file) => /\.(md|ts|json)$/.test(file))
		// Markdown wraps lines inside a label; so do string literals split over lines.
		.map((file) => ({ file: relative(root, file), text: readFileSync(file, 'utf8').replace(/\s+/g, ' ') }));
	const labels = texts.flatMap(({ text }) => [...text.matchAll(/Settings > Request Options > ([A-Z][a-z]+(?: [A-Z][a-z]+)*)/g)].map((match) => match[1]));
	expect(labels.length).toBeGreaterThan(5);
	expect([...new Set(labels)].filter((label) => !shown.has(label))).toEqual([]);
	// Labels today's editor does not show for these nodes (the HTTP Request node's own Options > Batching is fine).
	const outdated = /(?<!Request )Options > (Timeout|Max Concurrent)|under Options|Continue On Fail/;
	expect(texts.filter(({ text }) => outdated.test(text) || RETIRED_NAMES.test(text)).map(({ file }) => file)).toEqual([]);
});
