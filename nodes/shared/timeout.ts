/**
 * How long every request of this package waits for an answer unless the node's Timeout option
 * (Settings > Request Options > Timeout) says otherwise. n8n's own default is 300 seconds, far longer than a
 * token or admin call should take, and it fills the timeout of every request itself: so the
 * value is set where each request is sent, not in requestDefaults.
 */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** The longest wait a timer holds (2^31-1 ms, about 24.8 days); a longer Timeout would fire at once. */
export const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * The request options that bound a request in time: `timeout` (an idle socket) and one
 * deadline for the whole answer, body included (a server may send its headers, then trickle).
 */
export function withinDeadline(timeoutMs: number): { timeout: number; abortSignal: AbortSignal } {
	const timeout = Math.min(timeoutMs, MAX_TIMEOUT_MS);
	return { timeout, abortSignal: AbortSignal.timeout(timeout) };
}

/** Resolves after `ms` milliseconds. */
export function pause(ms: number): Promise<void> {
	const signal = AbortSignal.timeout(Math.min(Math.max(ms, 0), MAX_TIMEOUT_MS));
	return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** Whether a failure, or anything it wraps, is a request that ran out of time. */
export function isTimeout(error: unknown): boolean {
	for (let current = error, depth = 0; current && depth < 5; current = (current as Error).cause, depth++) {
		const { code, message } = current as { code?: unknown; message?: unknown };
		// ERR_CANCELED: the deadline of withinDeadline, the only abort signal this package sends with.
		if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT' || code === 'ERR_CANCELED') return true;
		if (typeof message === 'string' && /timeout of \d+ms exceeded/i.test(message)) return true;
	}
	return false;
}

/**
 * How long a timed-out request waited, from the error n8n's HTTP stack (axios) raised: its
 * request config, or its "timeout of 1500ms exceeded" message.
 */
export function timeoutOf(error: unknown): number {
	for (let current = error, depth = 0; current && depth < 5; current = (current as Error).cause, depth++) {
		const { config, message } = current as { config?: { timeout?: unknown }; message?: unknown };
		if (typeof config?.timeout === 'number' && config.timeout > 0) return config.timeout;
		const stated = typeof message === 'string' ? /timeout of (\d+)ms exceeded/i.exec(message) : null;
		if (stated) return Number(stated[1]);
	}
	return DEFAULT_TIMEOUT_MS;
}

/** "30 seconds", "1 second", "0.5 seconds". */
export function inSeconds(timeoutMs: number): string {
	const seconds = timeoutMs / 1000;
	return `${seconds} second${seconds === 1 ? '' : 's'}`;
}
