/**
 * The package in n8n's real editor, driven in headless Chromium as a person works: find each
 * node in the nodes panel, add it, switch through its operations, open its credentials, run an
 * example, use it as an AI Agent's tool. Runs against the `npm start` sandbox, started on free
 * ports. With SCREENSHOTS_DIR set (`npm run screenshots`), it also retakes the README's pictures.
 *
 * Needs Chromium: Debian's `chromium` package, installed on first use where that is possible
 * (scripts/chromium.ts), or CHROMIUM_PATH.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import { chromium, selectors, type Browser, type ConsoleMessage, type Page } from 'playwright-core';

import { ensureChromium } from '../../scripts/chromium.ts';
import { ROOT } from '../../scripts/n8n.ts';
import { freePort, OWNER, PACKAGE_NAME, startSandbox, type Sandbox } from '../../scripts/sandbox.ts';
import packageJson from '../../package.json';
import { INSTALL_TIMEOUT } from './timeouts.ts';
import { AGENT_TYPE_VERSION } from './workflows.ts';

const SCREENSHOTS_DIR = process.env.SCREENSHOTS_DIR && join(ROOT, process.env.SCREENSHOTS_DIR);
const EDITOR_TIMEOUT = 5 * 60_000;

interface NodeInEditor {
	name: string;
	type: string;
	icon: string;
	/** A word of the provider's that someone might type instead of the node's name. */
	providerWord: string;
	/** What a node opened with nothing set shows: an operation that creates nothing where the node has one. */
	opensOn: { resource: string; operation: string };
	/** Per resource, per operation: the fields the panel shows besides Credential, Resource and Operation (README). */
	operations: Record<string, Record<string, string[]>>;
	/** An example workflow that runs this node, one of its nodes whose output is checked, and the README's picture of it. */
	example: { id: string; node: string; screenshot?: string };
	/** The node's credentials in the sandbox, with the fields (by name) their form must show first: what the user fills first. */
	credentials: Array<{ name: string; type: string; firstFields: string[] }>;
	panelScreenshot: string;
	/** The sandbox credential a person picks for this node as an AI Agent's tool. */
	toolCredential: { type: string; id: string; name: string };
	/**
	 * The sandbox credential a person picks in the panel of the node just added, where the project
	 * holds several kinds of credential the node takes and the kind decides the fields shown. n8n
	 * 1.x's panel, opened on a node without one, selects the most recently updated credential of
	 * any kind the node's Authentication picks between (the kind the node lists last, when they
	 * were saved at the same moment) and sets Authentication to that kind.
	 */
	panelCredential?: { id: string; name: string };
}

const NODES: NodeInEditor[] = [
	{
		name: 'Confluent Cloud',
		opensOn: { resource: 'Share Token', operation: 'Get Resources' },
		type: 'confluentCloud',
		icon: 'confluent.svg',
		providerWord: 'Stream Sharing',
		operations: {
			'Share Token': { 'Get Resources': ['Share Token'], Redeem: ['Share Token', 'Additional Fields'] },
			'OAuth Token': { Exchange: ['Subject Token', 'Identity Pool ID', 'Token Lifetime (Seconds)', 'Base URL'] },
		},
		example: { id: 'tlExConfluentRdm', node: 'Redeem', screenshot: 'workflow-confluent-validate-then-redeem.png' },
		credentials: [
			{ name: 'Confluent Cloud API (sandbox)', type: 'confluentCloudApi', firstFields: ['apiKey', 'apiSecret'] },
			{ name: 'Confluent Cloud Identity Pool (sandbox)', type: 'confluentCloudIdentityPoolOAuth2Api', firstFields: ['idpTokenUrl', 'clientId', 'clientSecret'] },
		],
		panelScreenshot: 'panel-confluent-cloud.png',
		toolCredential: { type: 'confluentCloudApi', id: 'tlConfluentApi01', name: 'Confluent Cloud API (sandbox)' },
	},
	{
		name: 'Run:ai',
		opensOn: { resource: 'Token', operation: 'Create' },
		type: 'runAi',
		icon: 'runai.svg',
		providerWord: 'runai',
		operations: {
			Token: {
				Create: ['Grant Type', 'Client ID and Secret', 'Options'],
				'Exchange Code (Legacy)': ['Redirect URI', 'Authorization Code'],
				'Get App Token (Legacy)': ['Application ID', 'Application Name', 'Application Secret'],
				'Refresh (Legacy)': ['Refresh Token'],
			},
		},
		example: { id: 'tlExRunAiOps', node: 'Create a token' },
		credentials: [{ name: 'Run:ai API (sandbox)', type: 'runAiApi', firstFields: ['baseUrl', 'authentication'] }],
		panelScreenshot: 'panel-runai.png',
		toolCredential: { type: 'runAiApi', id: 'tlRunAiApi000001', name: 'Run:ai API (sandbox)' },
	},
	{
		name: 'Knetik Cloud',
		opensOn: { resource: 'Token', operation: 'Get Many' },
		type: 'knetikCloud',
		icon: 'knetik.svg',
		providerWord: 'Knetik',
		operations: {
			Token: {
				Delete: ['Username', 'Client ID'],
				Get: ['Username', 'Client ID'],
				'Get Many': ['Return All', 'Limit', 'Filters', 'Sort'],
			},
		},
		example: { id: 'tlExKnetikOps', node: 'List stored tokens' },
		credentials: [
			{ name: 'Knetik Cloud OAuth2 API (sandbox)', type: 'knetikCloudOAuth2Api', firstFields: ['baseUrl', 'clientId', 'clientSecret'] },
			{ name: 'Knetik Cloud Password OAuth2 API (sandbox)', type: 'knetikCloudPasswordOAuth2Api', firstFields: ['baseUrl', 'username', 'password'] },
		],
		panelScreenshot: 'panel-knetik-cloud.png',
		toolCredential: { type: 'knetikCloudOAuth2Api', id: 'tlKnetikOAuth201', name: 'Knetik Cloud OAuth2 API (sandbox)' },
	},
	{
		name: 'C2M',
		opensOn: { resource: 'Token', operation: 'Issue Long-Term Token' },
		type: 'c2m',
		icon: 'c2m.svg',
		providerWord: 'Click2Mail',
		operations: {
			Token: {
				'Issue Long-Term Token': ['Grant Type', 'Proof', 'Additional Fields'],
				'Issue Short-Term Token': ['Additional Fields'],
				Revoke: ['Token ID'],
			},
		},
		example: { id: 'tlExC2mOps', node: 'Issue a long-term token' },
		credentials: [
			{ name: 'C2M Client Key API (sandbox)', type: 'c2mClientKeyApi', firstFields: ['clientId', 'clientSecret'] },
			{ name: 'C2M Long-Term Token API (sandbox)', type: 'c2mLongTermTokenApi', firstFields: ['longTermToken'] },
			{ name: 'C2M Automatic Short-Term Token API (sandbox)', type: 'c2mShortTermTokenApi', firstFields: ['longTermToken'] },
		],
		panelScreenshot: 'panel-c2m.png',
		toolCredential: { type: 'c2mClientKeyApi', id: 'tlC2mClientKey01', name: 'C2M Client Key API (sandbox)' },
		// The operations' fields above are those of the default Authentication, Client Key.
		panelCredential: { id: 'tlC2mClientKey01', name: 'C2M Client Key API (sandbox)' },
	},
];

let sandbox: Sandbox;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
	const executablePath = ensureChromium();
	sandbox = await startSandbox({
		folder: mkdtempSync(join(tmpdir(), 'n8n-editor-')),
		port: await freePort(),
		mockPorts: 'free',
	});
	// n8n's own test ids are data-test-id.
	selectors.setTestIdAttribute('data-test-id');
	browser = await chromium.launch({
		executablePath,
		args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
	const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
	context.setDefaultTimeout(30_000);
	page = await context.newPage();
	page.on('console', (message: ConsoleMessage) => {
		if (message.type() === 'error') consoleErrors.push(`${message.text()} (${message.location().url})`);
	});
	page.on('pageerror', (error) => consoleErrors.push(`${error.message}\n${error.stack ?? ''}`));

	// Sign in through the form a user sees.
	await page.goto(`${sandbox.url}/signin`);
	await page.locator('input[type="email"], input[name="emailOrLdapLoginId"]').first().fill(OWNER.email);
	await page.locator('input[type="password"]').first().fill(OWNER.password);
	await page.locator('button[type="submit"], [data-test-id="form-submit-button"]').first().click();
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
}, INSTALL_TIMEOUT);

afterAll(async () => {
	await browser?.close();
	await sandbox?.stop();
});

async function screenshot(file: string): Promise<void> {
	if (!SCREENSHOTS_DIR) return;
	mkdirSync(SCREENSHOTS_DIR, { recursive: true });
	await page.screenshot({ path: join(SCREENSHOTS_DIR, file) });
}

const nodesPanel = () => page.getByTestId('node-creator');
const panelItems = () => nodesPanel().getByTestId('item-iterator-item');

async function openNodesPanel(): Promise<void> {
	await page.goto(`${sandbox.url}/workflow/new`);
	await page.getByTestId('canvas-plus-button').or(page.getByTestId('node-creator-plus-button')).first().click();
	await nodesPanel().waitFor();
}

async function search(text: string): Promise<void> {
	await page.getByTestId('node-creator-search-bar').fill(text);
	// The list filters as one types; wait for it to settle on this search.
	await page.waitForTimeout(600);
}

/**
 * The option texts of the dropdown that is open, first line of each (the name, not the
 * description). Polled: a dropdown that is still closing or opening shows no options for a moment.
 */
async function openOptions(): Promise<string[]> {
	const options = page.locator('.el-select-dropdown__item:visible');
	for (let attempt = 0; attempt < 20; attempt++) {
		const texts = await options.allInnerTexts();
		if (texts.length > 0) return texts.map((text) => text.split('\n')[0].trim());
		await page.waitForTimeout(250);
	}
	return [];
}

async function choose(parameter: string, option: string): Promise<void> {
	await page.getByTestId(`parameter-input-${parameter}`).click();
	const names = await openOptions();
	expect(names).toContain(option);
	await page.locator('.el-select-dropdown__item:visible').nth(names.indexOf(option)).click();
	await page.waitForTimeout(300);
}

function escape(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface ShownElement {
	innerText: string;
	querySelectorAll(selector: string): Iterable<ShownElement>;
}

/**
 * The fields the node panel shows, by label, besides Resource and Operation (and a tool's
 * description). n8n's credential selector is left out by its test id, whatever its label (2.x
 * *Credential*, 1.x *Credential to connect with*): n8n renders it inside the item of the field
 * that follows it.
 */
async function shownFields(): Promise<string[]> {
	const items = page.getByTestId('node-parameters').getByTestId('parameter-item');
	const labels: string[] = [];
	for (let index = 0; index < (await items.count()); index++) {
		const item = items.nth(index);
		if (!(await item.isVisible())) continue;
		const text = await item.evaluate((element) => {
			const shown = element as unknown as ShownElement;
			let own = shown.innerText;
			for (const credential of shown.querySelectorAll('[data-test-id="credentials-label"]')) own = own.replace(credential.innerText, '');
			return own;
		});
		const label = text.split('\n').find((line) => line.trim() !== '') ?? '';
		labels.push(label.replace(/\s*\*$/, '').trim());
	}
	return labels.filter((label) => !/^(Resource|Operation|Tool Description|)$/.test(label));
}

/** Picks a credential in the node panel's credential selector, as a person does. */
async function pickCredential({ id, name }: { id: string; name: string }): Promise<void> {
	const selector = page.getByTestId('ndv').getByTestId('node-credentials-select').filter({ visible: true }).first();
	await selector.click();
	await page.getByTestId(`node-credentials-select-item-${id}`).filter({ visible: true }).first().click();
	await page.waitForTimeout(300);
	const shown = await selector.evaluate((element) => {
		const select = element as unknown as { innerText: string; querySelector(selector: string): { value: string } | null };
		// 2.x shows the choice as text, 1.x as the value of the select's input.
		return `${select.innerText}\n${select.querySelector('input')?.value ?? ''}`;
	});
	expect(shown).toContain(name);
}

/** Every operation of a node, resource by resource, checking the fields each shows. */
async function switchThroughOperations(node: NodeInEditor): Promise<void> {
	for (const [resource, operations] of Object.entries(node.operations)) {
		await expectVisible('parameter-input-resource');
		await choose('resource', resource);
		await expectVisible('parameter-input-operation');
		await page.getByTestId('parameter-input-operation').click();
		expect(await openOptions()).toEqual([...Object.keys(operations), 'Custom API Call']);
		await page.keyboard.press('Escape');
		for (const [operation, fields] of Object.entries(operations)) {
			await choose('operation', operation);
			expect({ resource, operation, fields: await shownFields() }).toEqual({ resource, operation, fields });
		}
	}
}

/** The options n8n's Settings tab offers under Request Options, as Add Option lists them. */
async function requestOptionsOffered(): Promise<string[]> {
	const ndv = page.getByTestId('ndv');
	await ndv.getByTestId('tab-settings').click();
	const requestOptions = ndv.getByTestId('parameter-item').filter({ hasText: 'Request Options' }).first();
	// 2.x marks the Add Option select with a test id; 1.x only with a class.
	await requestOptions.getByTestId('collection-parameter-add').or(requestOptions.locator('.add-option')).first().click();
	const options = await openOptions();
	await page.keyboard.press('Escape');
	await ndv.getByTestId('tab-params').click();
	return options;
}

/** The option a select field shows as chosen. */
async function chosen(parameter: string): Promise<string> {
	return await page.getByTestId(`parameter-input-${parameter}`).locator('input').first().inputValue();
}

/** Saves a workflow through the editor's own REST call, with the browser's session. */
async function saveWorkflow(workflow: Record<string, unknown>): Promise<string> {
	const { data } = await page.evaluate(async (body) => {
		const response = await fetch('/rest/workflows', {
			method: 'POST',
			headers: {
				'Content-Type': 'application/json',
				// n8n ties a session to the browser id the editor keeps in local storage.
				'browser-id': (globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage.getItem('n8n-browserId') ?? '',
			},
			// n8n 1.x stores a new workflow only with `active` (its column has no default); 2.x ignores it.
			body: JSON.stringify({ settings: {}, active: false, ...body }),
		});
		if (!response.ok) throw new Error(`Saving the workflow failed: HTTP ${response.status} ${await response.text()}`);
		return (await response.json()) as { data: { id: string } };
	}, workflow);
	return data.id;
}

async function expectVisible(testId: string): Promise<void> {
	await page.getByTestId(testId).first().waitFor({ state: 'visible' });
}

test('walks every node the package lists for n8n (package.json), and no other', () => {
	const listed = packageJson.n8n.nodes.map((path) => basename(path).split('.')[0]).map((name) => name[0].toLowerCase() + name.slice(1));
	expect(NODES.map((node) => node.type).sort()).toEqual(listed.sort());
});

describe.each(NODES)('$name', (node) => {
	test(
		'is found in the nodes panel by its name and by a word of its provider, with its icon and actions',
		async () => {
			await openNodesPanel();
			for (const query of [node.name, node.providerWord]) {
				await search(query);
				const item = panelItems().filter({ has: page.getByTestId('node-creator-item-name').getByText(node.name, { exact: true }) });
				expect({ query, found: await item.count() }).toEqual({ query, found: 1 });
			}
			const item = panelItems().filter({ has: page.getByText(node.name, { exact: true }) }).first();
			const icon = item.locator(`img[src*="/icons/${PACKAGE_NAME}/"]`).first();
			expect(await icon.getAttribute('src')).toMatch(new RegExp(`${escape(node.icon)}$`));
			expect(await icon.evaluate((image) => (image as unknown as { naturalWidth: number }).naturalWidth > 0)).toBe(true);

			await item.click();
			await page.waitForTimeout(500);
			const actions = (await panelItems().allInnerTexts()).map((text) => text.split('\n')[0].trim());
			expect(actions.length).toBeGreaterThanOrEqual(Object.values(node.operations).flatMap(Object.keys).length);
			expect(actions).not.toContain('Custom API Call');
		},
		EDITOR_TIMEOUT,
	);

	test(
		'added to a workflow, shows Resource and Operation, and every operation shows its fields',
		async () => {
			await openNodesPanel();
			await search(node.name);
			await panelItems().filter({ has: page.getByText(node.name, { exact: true }) }).first().click();
			await page.waitForTimeout(500);
			// An action of the node, as a person would pick one (the panel lists trigger suggestions first).
			await panelItems().last().click();
			await expectVisible('ndv');
			if (node.panelCredential) await pickCredential(node.panelCredential);
			await switchThroughOperations(node);

			// Custom API Call points to the HTTP Request node, and keeps a readable node name.
			// Under load n8n 1.x's option list can take the click before it is ready: choose once more then.
			const notice = page.getByTestId('ndv').getByText(/Use the HTTP Request node/).first();
			await choose('operation', 'Custom API Call');
			const shown = await notice.waitFor({ timeout: 15_000 }).then(
				() => true,
				() => false,
			);
			if (!shown) {
				await choose('operation', 'Custom API Call');
				await notice.waitFor();
			}
			await page.keyboard.press('Escape');
			const canvasNames = await page.getByTestId('canvas-node').allInnerTexts();
			expect(canvasNames.join('\n')).not.toContain('__CUSTOM_API_CALL__');
			expect(canvasNames.join('\n')).toContain('Make a custom API call');
		},
		EDITOR_TIMEOUT,
	);

	test(
		'opened with nothing set, shows its default operation, and Settings > Request Options offers Timeout and Max Concurrent Requests',
		async () => {
			const id = await saveWorkflow({
				name: `${node.name}, as dragged in`,
				nodes: [{ id: 'node', name: node.name, type: `${PACKAGE_NAME}.${node.type}`, typeVersion: 1, position: [0, 0], parameters: {} }],
				connections: {},
			});
			await page.goto(`${sandbox.url}/workflow/${id}`);
			await page.locator(`[data-test-id="canvas-node"][data-node-name="${node.name}"]`).dblclick();
			await expectVisible('parameter-input-operation');
			expect({ resource: await chosen('resource'), operation: await chosen('operation') }).toEqual(node.opensOn);
			expect(await requestOptionsOffered()).toEqual(expect.arrayContaining(['Timeout', 'Max Concurrent Requests']));
			await page.keyboard.press('Escape');
		},
		EDITOR_TIMEOUT,
	);

	test(
		'its credentials show what to fill first, and their Test succeeds',
		async () => {
			for (const credential of node.credentials) {
				await page.goto(`${sandbox.url}/home/credentials`);
				await page.getByText(credential.name, { exact: true }).first().click();
				const modal = page.getByTestId('editCredential-modal');
				await modal.waitFor();
				await modal.getByTestId('credential-connection-parameter').first().waitFor();
				const fields = await modal
					.getByTestId('credential-connection-parameter')
					.locator('[data-test-id^="parameter-input-"]')
					.evaluateAll((inputs) => inputs.map((input) => input.getAttribute('data-test-id')!.replace('parameter-input-', '')));
				const names = fields.filter((name) => name !== 'field');
				expect({ credential: credential.name, first: names.slice(0, credential.firstFields.length) }).toEqual({
					credential: credential.name,
					first: credential.firstFields,
				});
				// n8n runs the credential's test when the form opens; Retry runs it again.
				const success = modal.getByTestId('credentials-config-container-test-success');
				await success.waitFor();
				await modal.getByText('Retry', { exact: true }).click();
				await success.waitFor();
				expect(await success.innerText()).toContain('Connection tested successfully');
				if (SCREENSHOTS_DIR) {
					await modal.getByText('Retry', { exact: true }).waitFor();
					await modal.screenshot({ path: join(SCREENSHOTS_DIR, `credential-${credential.type}.png`) });
				}
				await page.keyboard.press('Escape');
			}
		},
		EDITOR_TIMEOUT,
	);

	test(
		'an example workflow runs from the editor and shows its output items',
		async () => {
			await page.goto(`${sandbox.url}/workflow/${node.example.id}`);
			await page.getByTestId('canvas-node').first().waitFor();
			await page.getByTestId('execute-workflow-button').first().click();
			await page.getByText(/Workflow executed successfully/i).first().waitFor({ timeout: 60_000 });
			if (node.example.screenshot) {
				// The whole workflow in view, as the editor's "zoom to fit" key does.
				await page.keyboard.press('1');
				await page.waitForTimeout(500);
				await screenshot(node.example.screenshot);
			}
			await page.locator(`[data-test-id="canvas-node"][data-node-name="${node.example.node}"]`).dblclick();
			await expectVisible('ndv');
			const output = page.getByTestId('output-panel');
			await output.getByText(/\d+ items?/).first().waitFor();
			await screenshot(node.panelScreenshot);
			await page.keyboard.press('Escape');
		},
		EDITOR_TIMEOUT,
	);
});

test(
	'each node as an AI Agent’s tool can be switched to every operation',
	async () => {
		const workflow = {
			name: 'Agent with the package’s tools',
			nodes: [
				{ id: 'agent', name: 'AI Agent', type: '@n8n/n8n-nodes-langchain.agent', typeVersion: AGENT_TYPE_VERSION, position: [0, 0], parameters: {} },
				...NODES.map((node, index) => ({
					id: `tool-${node.type}`,
					name: `${node.name} tool`,
					type: `${PACKAGE_NAME}.${node.type}Tool`,
					typeVersion: 1,
					position: [index * 200 - 300, 250],
					parameters: {},
					credentials: { [node.toolCredential.type]: { id: node.toolCredential.id, name: node.toolCredential.name } },
				})),
			],
			connections: Object.fromEntries(
				NODES.map((node) => [`${node.name} tool`, { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] }]),
			),
		};
		const id = await saveWorkflow(workflow);

		for (const node of NODES) {
			await page.goto(`${sandbox.url}/workflow/${id}`);
			await page.locator(`[data-test-id="canvas-node"][data-node-name="${node.name} tool"]`).dblclick();
			await expectVisible('ndv');
			await switchThroughOperations(node);
			await page.keyboard.press('Escape');
		}
	},
	EDITOR_TIMEOUT,
);

test('the browser console shows no error caused by the package', () => {
	// Offline, the editor's look-up of the package on the npm registry cannot connect: that is
	// this machine's network, not the package.
	const offline = (error: string) => /net::ERR_[A-Z_]+ \(https:\/\/registry\.npmjs\.org\//.test(error);
	const ours = consoleErrors.filter((error) => !offline(error)).filter((error) =>
		[PACKAGE_NAME, ...NODES.map((node) => node.type), ...NODES.map((node) => node.name)].some((word) => error.includes(word)),
	);
	expect(ours).toEqual([]);
});
