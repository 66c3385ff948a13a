import { causeChain } from './userError';

/** n8n's own is 300 s, and n8n overwrites requestDefaults' timeout: so it is set on each request. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** The longest a timer holds; a longer one fires at once. */
export const MAX_TIMEOUT_MS = 2_147_483_647;

/** `timeout` bounds an idle socket; the signal, the whole answer (a server may trickle its body). */
export function withinDeadline(timeoutMs: number): { timeout: number; abortSignal: AbortSignal } {
	const timeout = Math.min(timeoutMs, MAX_TIMEOUT_MS);
	return { timeout, abortSignal: AbortSignal.timeout(timeout) };
}

export function whenAborted(signal: AbortSignal): Promise<void> {
	if (signal.aborted) return Promise.resolve();
	return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

export function pause(ms: number): Promise<void> {
	return whenAborted(AbortSignal.timeout(Math.min(Math.max(ms, 0), MAX_TIMEOUT_MS)));
}

/** Shaped as axios's own, so that isTimeout and timeoutOf read it. */
export function timeoutError(timeoutMs: number): Error {
	return Object.assign(new Error(`timeout of ${timeoutMs}ms exceeded`), { code: 'ETIMEDOUT' });
}

export function isTimeout(error: unknown): boolean {
	for (const current of causeChain(error, 5)) {
		const { code, message } = current as { code?: unknown; message?: unknown };
		// ERR_CANCELED: the deadline of withinDeadline, the only abort signal this package sends with.
		if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT' || code === 'ERR_CANCELED') return true;
		if (typeof message === 'string' && /timeout of \d+ms exceeded/i.test(message)) return true;
	}
	return false;
}

/** From axios's error: its config, or its "timeout of 1500ms exceeded" message. */
export function timeoutOf(error: unknown): number {
	for (const current of causeChain(error, 5)) {
		const { config, message } = current as { config?: { timeout?: unknown }; message?: unknown };
		if (typeof config?.timeout === 'number' && config.timeout > 0) return config.timeout;
		const stated = typeof message === 'string' ? /timeout of (\d+)ms exceeded/i.exec(message) : null;
		if (stated) return Number(stated[1]);
	}
	return DEFAULT_TIMEOUT_MS;
}

export function inSeconds(timeoutMs: number): string {
	const seconds = timeoutMs / 1000;
	return `${seconds} second${seconds === 1 ? '' : 's'}`;
}
