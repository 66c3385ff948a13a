import {
	NodeHelpers,
	NodeOperationError,
	type IDataObject,
	type IExecuteSingleFunctions,
	type INodeProperties,
	type INodePropertyCollection,
	type INodeTypeDescription,
} from 'n8n-workflow';

/*
 * n8n drops a value that resolves to nothing, so a request would silently go out without it (a
 * Delete without its Username deletes every user's tokens); such items are refused here.
 */

/** So the shared checks can name fields as the panel shows them. */
const describedNodes = new Map<string, INodeTypeDescription>();

export function registerNodeDescription(description: INodeTypeDescription): void {
	describedNodes.set(description.name, description);
}

/** The node's description; n8n names a node used as an AI tool `<name>Tool`. */
export function descriptionOf(context: IExecuteSingleFunctions): INodeTypeDescription | undefined {
	const name = context.getNode().type.split('.').pop() ?? '';
	return describedNodes.get(name) ?? describedNodes.get(name.replace(/Tool$/, ''));
}

export function isExpression(value: unknown): boolean {
	return typeof value === 'string' && value.startsWith('=');
}

export function isRecord(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function nothingIn(value: unknown): string | undefined {
	if (value === undefined) return 'undefined';
	if (value === null) return 'null';
	if (value === '') return 'empty text';
	if (Array.isArray(value) && value.length === 0) return 'an empty list';
	return undefined;
}

interface SetField {
	/** `additionalFields.scopes[1]` */
	path: string;
	/** `Scopes (in Additional Fields, entry 2)` */
	label: string;
	property: INodeProperties;
}

/** Every value the user set, down to collection entries; an expression or a choice is a leaf. */
function setFieldsOf(property: INodeProperties, raw: unknown, path: string, label: string): SetField[] {
	if (isExpression(raw) || raw === null || raw === undefined || property.type === 'options') {
		return [{ path, label, property }];
	}
	if (property.type === 'collection' && isRecord(raw)) {
		return (property.options as INodeProperties[]).flatMap((option) =>
			option.name in raw
				? setFieldsOf(option, raw[option.name], `${path}.${option.name}`, `${option.displayName} (in ${label})`)
				: [],
		);
	}
	if (property.type === 'fixedCollection' && isRecord(raw)) {
		return (property.options as INodePropertyCollection[]).flatMap((group) => {
			const entries = raw[group.name];
			if (entries === undefined) return [];
			const list = Array.isArray(entries) ? entries : [entries];
			return list.flatMap((entry: unknown, index) => {
				const entryPath = Array.isArray(entries) ? `${path}.${group.name}[${index}]` : `${path}.${group.name}`;
				const entryLabel = Array.isArray(entries) ? `in ${label}, rule ${index + 1}` : `in ${label}`;
				if (!isRecord(entry)) return [{ path: entryPath, label: `${group.displayName} (${entryLabel})`, property }];
				return group.values.flatMap((value) =>
					value.name in entry
						? setFieldsOf(value, entry[value.name], `${entryPath}.${value.name}`, `${value.displayName} (${entryLabel})`)
						: [],
				);
			});
		});
	}
	if (property.typeOptions?.multipleValues && Array.isArray(raw)) {
		return raw.flatMap((entry, index) =>
			isExpression(entry) || entry === null
				? [{ path: `${path}[${index}]`, label: `${label.replace(/\)$/, '')}${label.endsWith(')') ? ', ' : ' ('}entry ${index + 1})`, property }]
				: [],
		);
	}
	return [];
}

/** The value n8n's editor treats as "Custom API Call", pointing to the HTTP Request node. */
export const CUSTOM_API_CALL = '__CUSTOM_API_CALL__';

/** The refusal of an item before anything is sent; `to` names where nothing went. */
export function nothingSent(context: IExecuteSingleFunctions, message: string, description: string, to?: string): NodeOperationError {
	return new NodeOperationError(context.getNode(), message, {
		itemIndex: context.getItemIndex(),
		description: `${description} Nothing was sent${to === undefined ? '' : ` to ${to}`}.`,
	});
}

/**
 * Refuses a set field that resolves to nothing, and a choice outside its options (imported or
 * edited workflows). Literal empty text is left to each operation: n8n saves a cleared field so.
 */
export function assertParametersUsable(context: IExecuteSingleFunctions, providerName: string): void {
	const description = descriptionOf(context);
	if (!description) return;
	const node = context.getNode();
	const parameters = node.parameters;
	const itemIndex = context.getItemIndex();
	// Resource and Operation first: which other fields show depends on them.
	const selectorsFirst = [...description.properties].sort(
		(a, b) => Number(!['resource', 'operation'].includes(a.name)) - Number(!['resource', 'operation'].includes(b.name)),
	);
	for (const property of selectorsFirst) {
		if (!(property.name in parameters)) continue;
		if (!NodeHelpers.displayParameter(parameters, property, node, description, parameters)) continue;
		for (const field of setFieldsOf(property, parameters[property.name], property.name, property.displayName)) {
			const value: unknown = context.getNodeParameter(field.path, null);
			const nothing = nothingIn(value);
			if (nothing !== undefined) {
				throw nothingSent(
					context,
					`${field.label} is set but resolved to nothing (${nothing}) for item ${itemIndex}`,
					`The field is set, but for this item its value is ${nothing}, and the request would go out without it. Give the item a value, or remove the field.`,
					providerName,
				);
			}
			if (field.property.type !== 'options') continue;
			const choices = ((field.property.options ?? []) as Array<{ name: string; value: unknown }>).filter(
				(choice) => choice.value !== CUSTOM_API_CALL,
			);
			if (choices.some((choice) => choice.value === value)) continue;
			if (value === CUSTOM_API_CALL) {
				throw nothingSent(
					context,
					`Custom API Call is not an operation of the ${description.displayName} node: use the HTTP Request node with this credential`,
					`In the HTTP Request node, choose Authentication: Predefined Credential Type and this node's credential type; it adds the credential's authentication to any call of the API.`,
					providerName,
				);
			}
			throw nothingSent(
				context,
				`${field.label} "${String(value)}" is not one of this node’s choices: ${choices.map((choice) => choice.name).join(', ')}`,
				'The workflow holds a value the node does not offer (an imported or edited workflow, or an expression). Choose one of the options in the panel.',
				providerName,
			);
		}
	}
}

export function nodeDisplayName(context: IExecuteSingleFunctions): string {
	return descriptionOf(context)?.displayName ?? context.getNode().name;
}
