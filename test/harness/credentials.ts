/**
 * A credentials store and helper that behave like n8n's own (packages/cli
 * credentials-helper.ts in n8n 2.41.1): generic `authenticate` expressions resolved against
 * `$credentials`, defaults and `$self` expressions applied on decryption, `preAuthentication`
 * called when the hidden expirable field is empty or after a 401, and its result persisted.
 */
import {
	ICredentialsHelper,
	NodeHelpers,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentials,
	type ICredentialsExpressionResolveValues,
	type ICredentialType,
	type IHttpRequestHelper,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeParameters,
	type INodeProperties,
	type INodeTypes,
	type IWorkflowExecuteAdditionalData,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

interface StoredCredential {
	id: string;
	name: string;
	type: string;
	data: ICredentialDataDecryptedObject;
}

const mockNode: INode = {
	id: 'credential-resolver',
	name: '',
	typeVersion: 1,
	type: 'mock',
	position: [0, 0],
	parameters: {},
};

export class TestCredentialsHelper extends ICredentialsHelper {
	private readonly stored = new Map<string, StoredCredential>();

	/** How many times each credential was written back, as n8n writes it to its database after preAuthentication. */
	private readonly writes = new Map<string, number>();

	/** How many times each credential was read and decrypted, as n8n reads it from its database. */
	private readonly reads = new Map<string, number>();

	/**
	 * n8n 1.x (1.123.81) writes the whole resolved credential back after preAuthentication, a
	 * field set by an expression replaced by its value; 2.x writes the token alone.
	 */
	writesResolvedCredential = false;

	constructor(
		private readonly types: Map<string, ICredentialType>,
		private readonly nodeTypes: INodeTypes,
	) {
		super();
	}

	add(type: string, data: ICredentialDataDecryptedObject): INodeCredentialsDetails {
		if (!this.types.has(type)) throw new Error(`Unknown credential type ${type}`);
		const id = String(this.stored.size + 1);
		const name = `${type} #${id}`;
		this.stored.set(id, { id, name, type, data: structuredClone(data) });
		return { id, name };
	}

	/** How many times n8n would have written the credential to its database so far. */
	writeCount(details: INodeCredentialsDetails): number {
		return this.writes.get(this.entry(details).id) ?? 0;
	}

	/** How many times n8n would have read the credential from its database so far. */
	readCount(details: INodeCredentialsDetails): number {
		return this.reads.get(this.entry(details).id) ?? 0;
	}

	/** The data as n8n would have it in its database now. */
	storedData(details: INodeCredentialsDetails): ICredentialDataDecryptedObject {
		return structuredClone(this.entry(details).data);
	}

	private entry(details: INodeCredentialsDetails): StoredCredential {
		const entry = details.id ? this.stored.get(details.id) : undefined;
		if (!entry) throw new Error(`Credential ${details.name} does not exist`);
		return entry;
	}

	private typeOf(name: string): ICredentialType {
		const type = this.types.get(name);
		if (!type) throw new Error(`Unknown credential type ${name}`);
		return type;
	}

	getParentTypes(name: string): string[] {
		const parents = this.types.get(name)?.extends ?? [];
		return parents.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		const credentialType = this.typeOf(type);
		const merged: INodeProperties[] = [];
		for (const parent of credentialType.extends ?? []) {
			if (this.types.has(parent)) {
				NodeHelpers.mergeNodeProperties(merged, this.getCredentialsProperties(parent));
			}
		}
		NodeHelpers.mergeNodeProperties(merged, credentialType.properties);
		return merged;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = this.typeOf(typeName);
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		if (authenticate?.type !== 'generic' || !workflow || !node) return requestOptions;
		const resolve = (value: string) => {
			const resolved = workflow.expression.getSimpleParameterValue(
				node,
				value,
				'internal',
				{ $credentials: credentials },
				undefined,
				'',
			);
			return resolved ? String(resolved) : '';
		};
		const options = requestOptions as unknown as Record<string, Record<string, string>>;
		for (const [outerKey, entries] of Object.entries(authenticate.properties)) {
			options[outerKey] ??= {};
			for (const [key, value] of Object.entries(entries as Record<string, string>)) {
				options[outerKey][resolve(key)] = resolve(value);
			}
		}
		return requestOptions;
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const credentialType = this.typeOf(typeName);
		const expirable = credentialType.properties.find(
			(property) => property.type === 'hidden' && property.typeOptions?.expirable === true,
		);
		if (!expirable || typeof credentialType.preAuthentication !== 'function') return undefined;
		// n8n also runs it whenever a credential is tested from the editor.
		const isCredentialTest = node.type === 'n8n-nodes-base.noOp' && node.parameters.temp === '';
		if (credentials[expirable.name] !== '' && !credentialsExpired && !isCredentialTest) {
			return undefined;
		}
		// n8n 2.41 (restrictToCredentialDomains) hands the credential a new helpers object whose
		// httpRequest copies the options and calls the item's own httpRequest.
		const restricted: IHttpRequestHelper = {
			helpers: { httpRequest: async (options: IHttpRequestOptions) => await helpers.helpers.httpRequest({ ...options }) },
		};
		const output = await credentialType.preAuthentication.call(restricted, credentials);
		if (output[expirable.name] === undefined) return undefined;
		const nodeCredentials = node.credentials?.[typeName];
		if (!nodeCredentials) return undefined;
		const entry = this.entry(nodeCredentials);
		const written = this.writesResolvedCredential ? { ...credentials, ...output } : output;
		entry.data = { ...entry.data, ...(structuredClone(written) as ICredentialDataDecryptedObject) };
		this.writes.set(entry.id, (this.writes.get(entry.id) ?? 0) + 1);
		return Object.assign(credentials, output as ICredentialDataDecryptedObject);
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const { preAuthentication } = this.typeOf(typeName);
		if (typeof preAuthentication !== 'function') return undefined;
		return ((await preAuthentication.call(helpers, credentials)) as ICredentialDataDecryptedObject) ?? undefined;
	}

	async getCredentials(details: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		const entry = this.entry(details);
		const data = structuredClone(entry.data);
		return {
			id: entry.id,
			name: entry.name,
			type,
			data: undefined,
			getData: () => data,
			getDataToSave: () => ({ id: entry.id, name: entry.name, type, data: '' }),
			setData: (newData: ICredentialDataDecryptedObject) => {
				entry.data = structuredClone(newData);
			},
		} as unknown as ICredentials;
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		details: INodeCredentialsDetails,
		type: string,
		_mode: WorkflowExecuteMode,
		_executeData?: unknown,
		raw?: boolean,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		const entry = this.entry(details);
		this.reads.set(entry.id, (this.reads.get(entry.id) ?? 0) + 1);
		const stored = structuredClone(entry.data);
		if (raw) return stored;
		const properties = this.getCredentialsProperties(type);
		const withDefaults = NodeHelpers.getNodeParameters(
			properties,
			stored as INodeParameters,
			true,
			false,
			null,
			null,
		) as INodeParameters;
		if (stored.oauthTokenData !== undefined) withDefaults.oauthTokenData = stored.oauthTokenData as INodeParameters;

		if (expressionResolveValues) {
			const { workflow, runExecutionData, runIndex, itemIndex, node, connectionInputData } =
				expressionResolveValues;
			return workflow.expression.getParameterValue(
				withDefaults,
				runExecutionData,
				runIndex,
				itemIndex,
				node.name,
				connectionInputData,
				'internal',
				{},
				undefined,
				false,
				withDefaults,
			) as ICredentialDataDecryptedObject;
		}
		const workflow = new Workflow({
			nodes: [mockNode],
			connections: {},
			active: false,
			nodeTypes: this.nodeTypes,
		});
		return workflow.expression.getComplexParameterValue(
			mockNode,
			withDefaults,
			'internal',
			{},
			undefined,
			undefined,
			withDefaults,
		) as ICredentialDataDecryptedObject;
	}

	async updateCredentials(
		details: INodeCredentialsDetails,
		_type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.entry(details).data = structuredClone(data);
	}

	async updateCredentialsOauthTokenData(
		details: INodeCredentialsDetails,
		_type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.entry(details).data.oauthTokenData = structuredClone(data.oauthTokenData);
	}
}
