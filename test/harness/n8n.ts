/**
 * Runs this package's nodes the way n8n does: a workflow of a start node and the node under
 * test, executed by n8n-core's WorkflowExecute (and so by its declarative RoutingNode), with
 * credentials resolved and pre-authenticated as n8n's own credentials helper does.
 */
import { DirectoryLoader, ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	createRunExecutionData,
	NodeConnectionTypes,
	Workflow,
	type DeclarativeRestApiSettings,
	type ExecutionError,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
	type INodeCredentialsDetails,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
	type INodeTypeDescription,
	type INodeTypes,
	type IRun,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import { TestCredentialsHelper } from './credentials.ts';

export const PACKAGE = 'n8n-nodes-token-lifecycle';

/** Hands the test's input items to the node under test, as a trigger would. */
class StartNode implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Start',
		name: 'start',
		group: ['input'],
		version: 1,
		description: 'Emits the test input',
		defaults: { name: 'Start' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions) {
		return [this.getInputData()];
	}
}

class NodeTypes implements INodeTypes {
	private readonly types = new Map<string, INodeType>();

	add(name: string, type: INodeType) {
		this.types.set(name, type);
	}

	getByName(name: string): INodeType {
		const type = this.types.get(name);
		if (!type) throw new Error(`Unknown node type ${name}`);
		return type;
	}

	getByNameAndVersion(name: string): INodeType {
		return this.getByName(name);
	}

	getKnownTypes() {
		return {};
	}
}

export interface RunOptions {
	/** Internal node name of this package's node, e.g. `confluentCloud`, or a full node type added with addNodeType. */
	node: string;
	/** For a node type with several versions; 1 otherwise. */
	typeVersion?: number;
	parameters: INodeParameters;
	credentials?: Record<string, INodeCredentialsDetails>;
	/** Input items; one empty item by default. */
	items?: IDataObject[];
	continueOnFail?: boolean;
}

export interface RunResult {
	/** What the node emitted on its main output. */
	items: INodeExecutionData[];
	/** The error the node stopped with, when it did. */
	error?: ExecutionError;
}

export interface CredentialTestResult {
	ok: boolean;
	message?: string;
	description?: string;
}

export class N8nHarness {
	private readonly nodeTypes = new NodeTypes();

	readonly credentials: TestCredentialsHelper;

	constructor(nodes: INodeType[], credentialTypes: ICredentialType[]) {
		this.nodeTypes.add('n8n-nodes-base.start', new StartNode());
		for (const node of nodes) {
			// As n8n's loader does: declarative nodes get the Options (batching, proxy, timeout) collection.
			DirectoryLoader.applyDeclarativeNodeOptionParameters(node);
			this.nodeTypes.add(`${PACKAGE}.${node.description.name}`, node);
		}
		this.credentials = new TestCredentialsHelper(
			new Map(credentialTypes.map((type) => [type.name, type])),
			this.nodeTypes,
		);
	}

	/** Registers a node type from elsewhere under its full name, such as n8n's own HTTP Request node. */
	addNodeType(fullName: string, type: INodeType): void {
		this.nodeTypes.add(fullName, type);
	}

	addCredential(type: string, data: ICredentialDataDecryptedObject): INodeCredentialsDetails {
		return this.credentials.add(type, data);
	}

	async run(options: RunOptions): Promise<RunResult> {
		const nodeName = 'Node under test';
		const node: INode = {
			id: 'node-under-test',
			name: nodeName,
			type: options.node.includes('.') ? options.node : `${PACKAGE}.${options.node}`,
			typeVersion: options.typeVersion ?? 1,
			position: [200, 0],
			parameters: options.parameters,
			credentials: options.credentials,
			continueOnFail: options.continueOnFail,
		};
		const run = await this.execute(node, options.items ?? [{}]);
		const taskData = run.data.resultData.runData[nodeName]?.[0];
		return {
			items: taskData?.data?.main?.[0] ?? [],
			error: taskData?.error ?? run.data.resultData.error,
		};
	}

	/**
	 * Runs a credential's `test` request as n8n's editor does when the user clicks "Test":
	 * through the routing engine, on a placeholder node n8n recognises as a credential test.
	 */
	async testCredential(
		type: ICredentialType,
		details: INodeCredentialsDetails,
	): Promise<CredentialTestResult> {
		if (!type.test) throw new Error(`${type.name} has no test request`);
		const { error } = await this.sendWithCredential(type.name, details, type.test.request, {
			asCredentialTest: true,
		});
		return error ? { ok: false, message: error.message, description: error.description ?? undefined } : { ok: true };
	}

	/**
	 * Sends one request per item with a credential, the way n8n's HTTP Request node does with a
	 * predefined credential type: through `httpRequestWithAuthentication`, so the credential's
	 * preAuthentication and n8n's renewal after a 401 take part.
	 */
	async sendWithCredential(
		credentialType: string,
		details: INodeCredentialsDetails,
		request: DeclarativeRestApiSettings.HttpRequestOptions,
		{ items = 1, asCredentialTest = false }: { items?: number; asCredentialTest?: boolean } = {},
	): Promise<RunResult> {
		// n8n's credential tester runs the request on a noOp node with a `temp` parameter, and
		// its credentials helper recognises that shape.
		const type = asCredentialTest ? 'n8n-nodes-base.noOp' : 'harness.request';
		this.nodeTypes.add(type, {
			description: {
				displayName: 'Request with credential',
				name: type.split('.')[1],
				group: ['transform'],
				version: 1,
				description: 'Sends one request per item with a credential',
				defaults: { name: 'Request' },
				inputs: [NodeConnectionTypes.Main],
				outputs: [NodeConnectionTypes.Main],
				credentials: [{ name: credentialType, required: true }],
				requestDefaults: { json: true },
				properties: [
					{ displayName: 'Temp', name: 'temp', type: 'string', default: '', routing: { request } },
				],
			},
		});
		const node: INode = {
			id: 'request',
			name: 'Request',
			type,
			typeVersion: 1,
			position: [200, 0],
			parameters: { temp: '' },
			credentials: { [credentialType]: details },
		};
		const run = await this.execute(node, Array.from({ length: items }, () => ({})));
		const taskData = run.data.resultData.runData.Request?.[0];
		return { items: taskData?.data?.main?.[0] ?? [], error: taskData?.error };
	}

	private async execute(node: INode, items: IDataObject[]): Promise<IRun> {
		const start: INode = {
			id: 'start',
			name: 'Start',
			type: 'n8n-nodes-base.start',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		};
		const workflow = new Workflow({
			id: 'harness',
			nodes: [start, node],
			connections: {
				Start: { main: [[{ node: node.name, type: NodeConnectionTypes.Main, index: 0 }]] },
			},
			nodeTypes: this.nodeTypes,
			active: false,
			settings: { executionOrder: 'v1' },
		});

		const hooks = new ExecutionLifecycleHooks('manual', 'harness-execution', {
			id: 'harness',
			name: 'harness',
			nodes: Object.values(workflow.nodes),
			connections: workflow.connectionsBySourceNode,
			active: false,
			activeVersionId: null,
			isArchived: false,
			createdAt: new Date(),
			updatedAt: new Date(),
		});
		const finished = new Promise<IRun>((resolve) => {
			hooks.addHandler('workflowExecuteAfter', (run) => resolve(run));
		});

		const additionalData = {
			credentialsHelper: this.credentials,
			hooks,
			currentNodeExecutionIndex: 0,
			restApiUrl: 'http://127.0.0.1/rest',
			instanceBaseUrl: 'http://127.0.0.1/',
			executionId: 'harness-execution',
			formBaseUrl: 'http://127.0.0.1/form',
			formWaitingBaseUrl: 'http://127.0.0.1/form-waiting',
			formTestBaseUrl: 'http://127.0.0.1/form-test',
			webhookBaseUrl: 'http://127.0.0.1/webhook',
			webhookWaitingBaseUrl: 'http://127.0.0.1/webhook-waiting',
			webhookTestBaseUrl: 'http://127.0.0.1/webhook-test',
			mcpBaseUrl: 'http://127.0.0.1/mcp',
			mcpTestBaseUrl: 'http://127.0.0.1/mcp-test',
			variables: {},
			logAiEvent: () => {},
			executeWorkflow: async () => {
				throw new Error('not used');
			},
			getRunExecutionData: async () => undefined,
			getRuntimeCredential: async () => undefined,
			startRunnerTask: async () => {
				throw new Error('not used');
			},
		} as unknown as IWorkflowExecuteAdditionalData;

		const runExecutionData = createRunExecutionData({
			executionData: {
				nodeExecutionStack: [
					{ node: start, data: { main: [items.map((json) => ({ json }))] }, source: null },
				],
			},
		});

		const workflowExecute = new WorkflowExecute(additionalData, 'manual', runExecutionData);
		await workflowExecute.processRunExecutionData(workflow);
		return await finished;
	}
}
