import type { IExecuteData, IExecuteSingleFunctions, INodeProperties } from 'n8n-workflow';

import { oncePerNodeRun } from './nodeRun';

/** n8n's routing engine starts every item's request at once, which overflows servers and memory. */
const DEFAULT_MAX_CONCURRENT_REQUESTS = 20;

const MAX_CONCURRENT_REQUESTS = 'maxConcurrentRequests';

/** n8n puts its own options (Batching, Proxy, Timeout...) beside these. */
export const requestOptionsProperty: INodeProperties = {
	displayName: 'Options',
	name: 'requestOptions',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: [
		{
			displayName: 'Max Concurrent Requests',
			name: MAX_CONCURRENT_REQUESTS,
			type: 'number',
			typeOptions: { minValue: 1 },
			default: DEFAULT_MAX_CONCURRENT_REQUESTS,
			description:
				'How many requests this node has under way at once. The first goes alone, so that a token the credential renews serves all the others.',
		},
	],
};

/** The first request runs alone, so the token the credential fetches for it serves all the others. */
class RequestGate {
	private running = 0;

	private firstDone = false;

	private readonly waiting: Array<() => void> = [];

	constructor(private readonly limit: number) {}

	async run<T>(send: () => Promise<T>): Promise<T> {
		if (!this.mayStart()) await new Promise<void>((resolve) => this.waiting.push(resolve));
		else this.running++;
		try {
			return await send();
		} finally {
			this.firstDone = true;
			this.running--;
			this.admitWaiting();
		}
	}

	private mayStart(): boolean {
		return this.waiting.length === 0 && this.running < (this.firstDone ? this.limit : 1);
	}

	private admitWaiting(): void {
		while (this.waiting.length > 0 && this.running < this.limit) {
			this.running++;
			this.waiting.shift()!();
		}
	}
}

const gates = new WeakMap<IExecuteData, RequestGate>();

export async function withinConcurrencyLimit<T>(context: IExecuteSingleFunctions, send: () => Promise<T>): Promise<T> {
	const gate = oncePerNodeRun(gates, context, () => {
		const options = context.getNodeParameter('requestOptions', {}) as Record<string, unknown>;
		const limit = Number(options[MAX_CONCURRENT_REQUESTS]);
		return new RequestGate(Number.isInteger(limit) && limit >= 1 ? limit : DEFAULT_MAX_CONCURRENT_REQUESTS);
	});
	return await gate.run(send);
}
