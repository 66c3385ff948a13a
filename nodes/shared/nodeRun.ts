import type { IExecuteData, IExecuteSingleFunctions } from 'n8n-workflow';

/**
 * A value made once per run of a node and shared by all its items: n8n gives every item of a
 * node run the same execute data. Without one (not seen in n8n), each call makes its own.
 */
export function oncePerNodeRun<T>(memo: WeakMap<IExecuteData, T>, context: IExecuteSingleFunctions, make: () => T): T {
	const run = context.getExecuteData();
	if (typeof run !== 'object' || run === null) return make();
	let value = memo.get(run);
	if (value === undefined) {
		value = make();
		memo.set(run, value);
	}
	return value;
}
