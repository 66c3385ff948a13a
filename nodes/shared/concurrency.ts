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

interface Gate {
	limit: number;
	running: number;
	firstDone: boolean;
	waiting: Array<() => void>;
}

const gates = new WeakMap<IExecuteData, Gate>();

/** The first request runs alone, so the token the credential fetches for it serves all the others. */
export async function withinConcurrencyLimit<T>(context: IExecuteSingleFunctions, send: () => Promise<T>): Promise<T> {
	const gate = oncePerNodeRun(gates, context, () => {
		const options = context.getNodeParameter('requestOptions', {}) as Record<string, unknown>;
		const limit = Number(options[MAX_CONCURRENT_REQUESTS]);
		return { limit: Number.isInteger(limit) && limit >= 1 ? limit : DEFAULT_MAX_CONCURRENT_REQUESTS, running: 0, firstDone: false, waiting: [] };
	});
	const mayStart = gate.waiting.length === 0 && gate.running < (gate.firstDone ? gate.limit : 1);
	if (mayStart) gate.running++;
	else await new Promise<void>((resolve) => gate.waiting.push(resolve));
	try {
		return await send();
	} finally {
		gate.firstDone = true;
		gate.running--;
		while (gate.waiting.length > 0 && gate.running < gate.limit) {
			gate.running++;
			gate.waiting.shift()!();
		}
	}
}
