import {
	NodeHelpers,
	NodeOperationError,
	type IExecuteSingleFunctions,
	type INodeProperties,
	type INodePropertyCollection,
	type INodeTypeDescription,
} from 'n8n-workflow';

/*
 * What the user set must reach the request as set. n8n's declarative engine drops a value
 * that resolves to undefined (and this package's nodes leave out empty optional values on
 * purpose), so an expression that resolves to nothing would silently send a request without
 * that field: a Delete without its Username deletes every user's tokens, scopes left out give
 * a token every scope. Likewise a choice outside its options adds nothing to the request. The
 * check below refuses such an item before anything is sent. It reads the node's description
 * to know the fields, and names them as the panel does.
 */

/** Node descriptions by node name, so the shared checks can name fields as the panel shows them. */
const describedNodes = new Map<string, INodeTypeDescription>();

/** Registers a node's description with the shared checks; every node of this package does, when n8n creates it. */
export function registerNodeDescription(description: INodeTypeDescription): void {
	describedNodes.set(description.name, description);
}

/** The node's description; n8n names a node used as an AI tool `<name>Tool`. */
export function descriptionOf(context: IExecuteSingleFunctions): INodeTypeDescription | undefined {
	const name = context.getNode().type.split('.').pop() ?? '';
	return describedNodes.get(name) ?? describedNodes.get(name.replace(/Tool$/, ''));
}

/** Whether a stored value is an expression, which n8n evaluates when the node (or credential) is used. */
export function isExpression(value: unknown): boolean {
	return typeof value === 'string' && value.startsWith('=');
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How a resolved value is "nothing", in words, or undefined when it is something. */
export function nothingIn(value: unknown): string | undefined {
	if (value === undefined) return 'undefined';
	if (value === null) return 'null';
	if (value === '') return 'empty text';
	if (Array.isArray(value) && value.length === 0) return 'an empty list';
	return undefined;
}

interface SetField {
	/** Path for getNodeParameter, such as `additionalFields.scopes[1]`. */
	path: string;
	/** The field as the panel shows it, such as `Scopes (in Additional Fields, entry 2)`. */
	label: string;
	property: INodeProperties;
}

/**
 * Every value the user set for this operation, down to collection options, fixed-collection
 * entries and multiple-value entries. An expression is a leaf: what it resolves to is checked
 * as a whole. So is a choice (an options field), whose value must be one of its options.
 */
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
		// The list as typed; each entry is a value of its own.
		return raw.flatMap((entry, index) =>
			isExpression(entry) || entry === null
				? [{ path: `${path}[${index}]`, label: `${label.replace(/\)$/, '')}${label.endsWith(')') ? ', ' : ' ('}entry ${index + 1})`, property }]
				: [],
		);
	}
	return [];
}

/**
 * The option value n8n's editor treats as "Custom API Call": it then points to the HTTP Request
 * node. Every node here lists it (fields.ts withCustomApiCall); it sends nothing.
 */
export const CUSTOM_API_CALL = '__CUSTOM_API_CALL__';

function refuse(context: IExecuteSingleFunctions, nodeName: string, message: string, description: string): never {
	throw new NodeOperationError(context.getNode(), message, {
		itemIndex: context.getItemIndex(),
		description: `${description} Nothing was sent to ${nodeName}.`,
	});
}

/**
 * Refuses the item, before anything is sent:
 * - when a field the user set (a literal null, or an expression) resolves to undefined, null,
 *   empty text or an empty list: the request would go out without it;
 * - when a choice (Resource, Operation, Grant Type, ...) holds a value that is not one of its
 *   options, as imported or hand-edited workflows can: n8n would send the request without
 *   the parts that value should have added.
 * Fields the user did not add are not looked at: they are not sent. Literal empty text is
 * left to each operation's rules, as n8n saves a cleared field as its default.
 */
export function assertParametersUsable(context: IExecuteSingleFunctions, providerName: string): void {
	const description = descriptionOf(context);
	// Every node of this package registers itself; a node that did not has nothing to check here.
	if (!description) return;
	const node = context.getNode();
	const parameters = node.parameters;
	const itemIndex = context.getItemIndex();
	// Resource and Operation first: which other fields show depends on them, so a wrong one is the
	// error to report.
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
				refuse(
					context,
					providerName,
					`${field.label} is set but resolved to nothing (${nothing}) for item ${itemIndex}`,
					`The field is set, but for this item its value is ${nothing}, and the request would go out without it. Give the item a value, or remove the field.`,
				);
			}
			if (field.property.type !== 'options') continue;
			// Custom API Call is listed for n8n's editor, but the node has no such call to make.
			const choices = ((field.property.options ?? []) as Array<{ name: string; value: unknown }>).filter(
				(choice) => choice.value !== CUSTOM_API_CALL,
			);
			if (choices.some((choice) => choice.value === value)) continue;
			if (value === CUSTOM_API_CALL) {
				refuse(
					context,
					providerName,
					`Custom API Call is not an operation of the ${description.displayName} node: use the HTTP Request node with this credential`,
					`In the HTTP Request node, choose Authentication: Predefined Credential Type and this node's credential type; it adds the credential's authentication to any call of the API.`,
				);
			}
			refuse(
				context,
				providerName,
				`${field.label} "${String(value)}" is not one of this node’s choices: ${choices.map((choice) => choice.name).join(', ')}`,
				'The workflow holds a value the node does not offer (an imported or edited workflow, or an expression). Choose one of the options in the panel.',
			);
		}
	}
}

/** The name of the node an item runs in, as users know it. */
export function nodeDisplayName(context: IExecuteSingleFunctions): string {
	return descriptionOf(context)?.displayName ?? context.getNode().name;
}
