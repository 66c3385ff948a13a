/** Shown as it is. No `status` or `code`: n8n would take it for an HTTP status, word it generically, and on 401 refetch. */
export class UserError extends Error {
	constructor(
		message: string,
		readonly description: string,
		readonly httpCode?: string,
	) {
		super(message);
		this.name = 'UserError';
	}
}

/** A promise's value or error, to branch on without try/catch. */
export function outcomeOf<T>(promise: Promise<T>): Promise<{ value: T } | { error: unknown }> {
	return promise.then(
		(value) => ({ value }),
		(error: unknown) => ({ error }),
	);
}

/** An error and what it wraps (`cause`), `max` deep at most. */
export function causeChain(error: unknown, max: number): unknown[] {
	const chain: unknown[] = [];
	for (let current = error; current && chain.length < max; current = (current as Error).cause) {
		chain.push(current);
	}
	return chain;
}
