/**
 * Installs, unless cached, what the real-n8n suites need for one n8n line (N8N_E2E_VERSION):
 * the pinned n8n and, for the 2.x line, Chromium and queue mode's PostgreSQL and Redis (one
 * apt-get at a time). `npm run test:all` runs it for both lines while `npm test` runs.
 */
import { ensureChromium } from './chromium.ts';
import { ensureN8n, N8N_VERSION } from './n8n.ts';
import { ensureServices } from './queue.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);
if (N8N_VERSION.startsWith('2.')) {
	ensureChromium(say);
	ensureServices(say);
}
ensureN8n(say);
say(`Ready: n8n ${N8N_VERSION}${N8N_VERSION.startsWith('2.') ? ', Chromium, PostgreSQL and Redis' : ''}.`);
