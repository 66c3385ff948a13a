import type { IExecuteSingleFunctions, INodeExecutionData } from 'n8n-workflow';

/** The latest instant a Date holds: a form every process reads back. */
const LATEST_EXPIRY = 8_640_000_000_000_000;

/** So that a provider whose clock is behind does not issue tokens n8n takes for dead. */
export const CLOCK_SKEW_ALLOWANCE_MS = 5 * 60_000;

export function expiryAfterSeconds(seconds: unknown): number | undefined {
	if (typeof seconds !== 'number' && (typeof seconds !== 'string' || seconds.trim() === '')) return undefined;
	const value = Number(seconds);
	return Number.isFinite(value) ? Math.min(Date.now() + value * 1000, LATEST_EXPIRY) : undefined;
}

export function expiryAtInstant(instant: unknown): number | undefined {
	const at = typeof instant === 'string' ? Date.parse(instant) : NaN;
	return Number.isNaN(at) ? undefined : Math.min(at + CLOCK_SKEW_ALLOWANCE_MS, LATEST_EXPIRY);
}

/** A lifetime and an instant may disagree. */
export function soonestExpiry(...expiries: Array<number | undefined>): number | undefined {
	const known = expiries.filter((expiry): expiry is number => expiry !== undefined);
	return known.length ? Math.min(...known) : undefined;
}

/** So that a workflow can schedule the next rotation without arithmetic; a provider's own is kept. */
export function withExpiresAt(lifetimeKey: string) {
	return async function (this: IExecuteSingleFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
		return items.map((item) => {
			if (typeof item.json.expires_at === 'string') return item;
			const expiry = expiryAfterSeconds(item.json[lifetimeKey]);
			return { ...item, json: { ...item.json, expires_at: expiry === undefined ? null : new Date(expiry).toISOString() } };
		});
	};
}
