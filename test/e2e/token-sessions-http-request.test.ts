/**
 * One token per execution from n8n's own HTTP Request node, run on n8n-core's engine in this
 * process: the node comes from the pinned n8n 2.x install (n8n-core here is 2.x too), which is
 * why this half of test/token-sessions.test.ts runs with the real-n8n suites.
 */
import { ensureN8n, httpRequestNode } from '../../scripts/n8n.ts';
import { tokenSessionSuite } from '../tokenSessions.ts';

beforeAll(() => ensureN8n(), 20 * 60_000);

tokenSessionSuite(httpRequestNode);
