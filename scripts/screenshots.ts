/**
 * Takes the pictures in docs/ from the real n8n editor with headless Chromium: one example
 * workflow after a run, and the panel of each node. Start the sandbox first (`npm start`), then
 * in another terminal: `npm run screenshots`. Needs Debian's chromium (`apt-get install chromium`)
 * or CHROMIUM_PATH. Also the check that `npm start` works: it signs in as the printed owner and
 * runs a workflow from the editor.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { chromium, type Page } from 'playwright-core';

import { ROOT } from './n8n.ts';
import { EDITOR_URL, OWNER } from './sandbox.ts';

const DOCS = join(ROOT, 'docs');

/** Each node's panel, opened on one node of its "every operation" example. */
const PANELS = [
	{ file: 'panel-confluent-cloud.png', workflowId: 'tlExConfluentOps', node: 'Redeem share token' },
	{ file: 'panel-runai.png', workflowId: 'tlExRunAiOps', node: 'Create a token' },
	{ file: 'panel-knetik-cloud.png', workflowId: 'tlExKnetikOps', node: 'List stored tokens' },
	{ file: 'panel-c2m.png', workflowId: 'tlExC2mOps', node: 'Issue a long-term token' },
];
const RUN = { file: 'workflow-confluent-validate-then-redeem.png', workflowId: 'tlExConfluentRdm' };

function say(line: string): void {
	process.stdout.write(`${line}\n`);
}

async function openWorkflow(page: Page, workflowId: string): Promise<void> {
	await page.goto(`${EDITOR_URL}/workflow/${workflowId}`);
	await page.locator('[data-test-id="canvas-node"]').first().waitFor();
	// Fit the whole workflow in view, as the editor's "zoom to fit" button does.
	await page.keyboard.press('1');
	await page.waitForTimeout(500);
}

async function main(): Promise<void> {
	const up = await fetch(`${EDITOR_URL}/healthz/readiness`).then(
		(response) => response.ok,
		() => false,
	);
	if (!up) throw new Error(`No n8n at ${EDITOR_URL}: run \`npm start\` first, then this in another terminal`);

	mkdirSync(DOCS, { recursive: true });
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
	try {
		const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
		const page = await context.newPage();

		// Sign in through the form a user sees, with the account `npm start` printed.
		await page.goto(`${EDITOR_URL}/signin`);
		await page.locator('input[type="email"], input[name="emailOrLdapLoginId"], input[name="email"]').first().fill(OWNER.email);
		await page.locator('input[type="password"]').first().fill(OWNER.password);
		await page.locator('button[type="submit"], [data-test-id="form-submit-button"]').first().click();
		await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 30_000 });
		say(`Signed in as ${OWNER.email}.`);

		await openWorkflow(page, RUN.workflowId);
		await page.locator('[data-test-id="execute-workflow-button"]').first().click();
		await page.getByText(/Workflow executed successfully/i).first().waitFor({ timeout: 60_000 });
		await page.waitForTimeout(1000);
		await page.screenshot({ path: join(DOCS, RUN.file) });
		say(`Ran "${RUN.workflowId}" from the editor: docs/${RUN.file}`);

		for (const panel of PANELS) {
			await openWorkflow(page, panel.workflowId);
			await page.locator(`[data-test-id="canvas-node"][data-node-name="${panel.node}"]`).dblclick();
			await page.locator('[data-test-id="ndv"]').first().waitFor();
			await page.waitForTimeout(800);
			await page.screenshot({ path: join(DOCS, panel.file) });
			say(`Panel of "${panel.node}": docs/${panel.file}`);
			await page.keyboard.press('Escape');
		}
	} finally {
		await browser.close();
	}
}

main().catch((error: Error) => {
	process.stderr.write(`screenshots failed: ${error.message}\n`);
	process.exit(1);
});
