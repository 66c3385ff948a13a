/**
 * Time limits of the end-to-end tests. The first run on a machine installs n8n (about 4
 * minutes here, more on a slow network); every `n8n execute` starts a whole n8n (about 5 s).
 */
export const INSTALL_TIMEOUT = 20 * 60_000;
export const E2E_TIMEOUT = 2 * 60_000;
