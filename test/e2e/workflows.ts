/**
 * Workflows that only the end-to-end tests need (failures, several items), written as a chain
 * of nodes after a Manual Trigger. Users' workflows are in examples/.
 */
import { N8N_VERSION } from '../../scripts/n8n.ts';

/** The AI Agent version n8n's editor adds: 3.1 in 2.x, 3 in the last 1.x (1.123), which has no 3.1. */
export const AGENT_TYPE_VERSION = Number(N8N_VERSION.split('.')[0]) >= 2 ? 3.1 : 3;

export interface NodeSpec {
	name: string;
	/** A node of this package by its name (`confluentCloud`), or any full n8n type. */
	type: string;
	typeVersion?: number;
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	onError?: 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';
	/** Runs once, for the first item only. */
	executeOnce?: boolean;
}

const PACKAGE_PREFIX = 'n8n-nodes-token-lifecycle.';

/** n8n's HTTP Request node calling `url` with a credential of this package (Predefined Credential Type). */
export function httpRequest(
	name: string,
	url: string,
	credentials: Record<string, { id: string; name: string }>,
	parameters: Record<string, unknown> = {},
): NodeSpec {
	return {
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		parameters: { url, authentication: 'predefinedCredentialType', nodeCredentialType: Object.keys(credentials)[0], options: {}, ...parameters },
		credentials,
	};
}

/** Nodes that turn the one trigger item into one item per entry, each with these fields. */
export function items(entries: Array<Record<string, string>>): NodeSpec[] {
	return [
		{
			name: 'Items',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			parameters: {
				mode: 'raw',
				jsonOutput: JSON.stringify({ entries }),
				options: {},
			},
		},
		{
			name: 'One item each',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			parameters: { fieldToSplitOut: 'entries', options: {} },
		},
	];
}

/** A workflow as JSON text: a Manual Trigger named Start, then `chain` in order. */
export function chainWorkflow(id: string, name: string, chain: NodeSpec[]): string {
	const nodes = [
		{ name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} } as NodeSpec,
		...chain,
	].map((node, index) => ({
		id: `${id}-node-${index}`,
		name: node.name,
		type: node.type.includes('.') ? node.type : `${PACKAGE_PREFIX}${node.type}`,
		typeVersion: node.typeVersion ?? 1,
		position: [index * 220, 0],
		parameters: node.parameters,
		...(node.credentials ? { credentials: node.credentials } : {}),
		...(node.onError ? { onError: node.onError } : {}),
		...(node.executeOnce ? { executeOnce: true } : {}),
	}));
	const connections = Object.fromEntries(
		nodes.slice(0, -1).map((node, index) => [
			node.name,
			{ main: [[{ node: nodes[index + 1].name, type: 'main', index: 0 }]] },
		]),
	);
	return JSON.stringify({ id, name, active: false, nodes, connections, settings: { executionOrder: 'v1' } });
}

export interface AgentSpec {
	/** What the user asks the agent, fixed in the AI Agent node. */
	prompt: string;
	/** The chat model node's credential (openAiApi). */
	model: { credential: { id: string; name: string }; typeVersion: number };
	agentTypeVersion: number;
	/** One of this package's nodes as the agent's tool: `type` is the node's name (`knetikCloud`). */
	tool: NodeSpec;
}

/**
 * A workflow as JSON text: a Manual Trigger named Start, an AI Agent with the fixed prompt, an
 * OpenAI Chat Model, and one node of this package as the agent's tool, as the editor connects them.
 */
export function agentWorkflow(id: string, name: string, { prompt, model, agentTypeVersion, tool }: AgentSpec): string {
	const nodes = [
		{ name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {}, position: [0, 0] },
		{
			name: 'AI Agent',
			type: '@n8n/n8n-nodes-langchain.agent',
			typeVersion: agentTypeVersion,
			parameters: { promptType: 'define', text: prompt, options: {} },
			position: [220, 0],
		},
		{
			name: 'OpenAI Chat Model',
			type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
			typeVersion: model.typeVersion,
			parameters: { model: { __rl: true, mode: 'id', value: 'gpt-4o-mini' }, options: {} },
			credentials: { openAiApi: model.credential },
			position: [160, 220],
		},
		{
			name: tool.name,
			type: `${PACKAGE_PREFIX}${tool.type}Tool`,
			typeVersion: tool.typeVersion ?? 1,
			parameters: tool.parameters,
			...(tool.credentials ? { credentials: tool.credentials } : {}),
			position: [380, 220],
		},
	].map((node, index) => ({ id: `${id}-node-${index}`, ...node }));
	const connections = {
		Start: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
		'OpenAI Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
		[tool.name]: { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
	};
	return JSON.stringify({ id, name, active: false, nodes, connections, settings: { executionOrder: 'v1' } });
}
