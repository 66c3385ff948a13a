import type { IExecuteData, IExecuteSingleFunctions } from 'n8n-workflow';

/** n8n gives every item of a node run the same execute data. */
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
