/*
 * When a token expires, from what a token endpoint or an operation's answer says: a lifetime in
 * seconds, an absolute instant, or both.
 */
import type { IExecuteSingleFunctions, INodeExecutionData } from 'n8n-workflow';

/** The latest instant a Date holds (epoch ms): a longer lifetime is stored as this, in a form every process reads back. */
const LATEST_EXPIRY = 8_640_000_000_000_000;

/**
 * How far a provider's clock may be behind n8n's: an absolute expiry (`expires_at`) counts this
 * much later, so that a server a minute behind does not issue tokens n8n takes for dead.
 */
export const CLOCK_SKEW_ALLOWANCE_MS = 5 * 60_000;

/** When a token expires (epoch ms), from a lifetime in seconds sent as a number or a string. */
export function expiryAfterSeconds(seconds: unknown): number | undefined {
	if (typeof seconds !== 'number' && (typeof seconds !== 'string' || seconds.trim() === '')) return undefined;
	const value = Number(seconds);
	return Number.isFinite(value) ? Math.min(Date.now() + value * 1000, LATEST_EXPIRY) : undefined;
}

/** When a token expires (epoch ms), from an ISO 8601 instant, allowing for clock skew. */
export function expiryAtInstant(instant: unknown): number | undefined {
	const at = typeof instant === 'string' ? Date.parse(instant) : NaN;
	return Number.isNaN(at) ? undefined : Math.min(at + CLOCK_SKEW_ALLOWANCE_MS, LATEST_EXPIRY);
}

/** The earlier of the expiries a token endpoint gave (a lifetime and an instant may disagree). */
export function soonestExpiry(...expiries: Array<number | undefined>): number | undefined {
	const known = expiries.filter((expiry): expiry is number => expiry !== undefined);
	return known.length ? Math.min(...known) : undefined;
}

/**
 * Adds `expires_at`, the issued token's expiry as an ISO 8601 instant, to each item of an
 * operation that issues one, from the lifetime in seconds under `lifetimeKey`: a workflow can
 * schedule the next rotation without arithmetic. An `expires_at` the provider sent (C2M) is kept;
 * without a lifetime it is null.
 */
export function withExpiresAt(lifetimeKey: string) {
	return async function (this: IExecuteSingleFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
		return items.map((item) => {
			if (typeof item.json.expires_at === 'string') return item;
			const expiry = expiryAfterSeconds(item.json[lifetimeKey]);
			return { ...item, json: { ...item.json, expires_at: expiry === undefined ? null : new Date(expiry).toISOString() } };
		});
	};
}
