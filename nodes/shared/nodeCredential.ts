import type { IExecuteData, IExecuteSingleFunctions } from 'n8n-workflow';

import { oncePerNodeRun } from './nodeRun';
import { descriptionOf } from './parameters';

/**
 * The credential type n8n's routing engine uses for this node, picked as it picks it: the
 * node's only credential, or the one whose displayOptions name the Authentication value.
 */
function credentialTypeInUse(context: IExecuteSingleFunctions): string | undefined {
	const credentials = descriptionOf(context)?.credentials ?? [];
	if (credentials.length <= 1) return credentials[0]?.name;
	const authentication = context.getNodeParameter('authentication', null);
	return credentials.find((credential) => credential.displayOptions?.show?.authentication?.includes(authentication as string))?.name;
}

const baseUrls = new WeakMap<IExecuteData, Promise<string | undefined>>();

/**
 * The base URL of the node's credential, trimmed and without trailing slashes; undefined when
 * the node runs without one. Read once per node run, as n8n's routing engine reads the
 * credential once for all items: an expression in requestDefaults would cost n8n two
 * evaluations per item.
 */
export async function credentialBaseUrl(context: IExecuteSingleFunctions): Promise<string | undefined> {
	return await oncePerNodeRun(baseUrls, context, async () => {
		const type = credentialTypeInUse(context);
		if (!type || !context.getNode().credentials?.[type]) return undefined;
		const credentials = await context.getCredentials(type);
		return String(credentials.baseUrl ?? '')
			.trim()
			.replace(/\/+$/, '');
	});
}
