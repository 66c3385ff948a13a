import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// n8n-core reads its settings from the user folder; keep it away from ~/.n8n.
process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'n8n-token-lifecycle-'));
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
// The engine logs every node error it handles; the tests look at those errors themselves.
process.env.N8N_LOG_LEVEL ??= 'silent';
