/**
 * Each node of the package as the tool of n8n's AI Agent, in a real n8n: the agent's chat model
 * is n8n's OpenAI Chat Model pointed at a loopback OpenAI-compatible mock, which calls the tool
 * with arguments the node takes through `$fromAI()`, then answers from the tool's result. The
 * tool runs against the API mocks with its own credential.
 */
import type { RecordedRequest } from '../../scripts/mock/server.ts';
import { RUNAI_AUTH_CODE, RUNAI_CLIENT, RUNAI_REDIRECT_URI } from '../../scripts/mock/runai.ts';
import { SHARE_TOKEN } from '../../scripts/mock/confluent.ts';
import { OPENAI_API_KEY, OpenAiMock, textOf, type AgentScript } from '../../scripts/mock/openai.ts';
import type { Mocks } from '../../scripts/mocks.ts';
import { jsonOf, runsOf, startRealN8n, type RealN8n } from './n8n-cli.ts';
import { E2E_TIMEOUT, INSTALL_TIMEOUT } from './timeouts.ts';
import { AGENT_TYPE_VERSION, agentWorkflow, type NodeSpec } from './workflows.ts';

/** n8n 1.x before 1.85 offers community nodes as tools only with this; later versions ignore it. */
const ALLOW_COMMUNITY_TOOLS = { N8N_COMMUNITY_PACKAGES_ALLOW_TOOL_USAGE: 'true' };

// The chat model's 1.2 calls the chat completions API, as OpenAI-compatible hosts expect, on
// both n8n lines (1.3 defaults to OpenAI's Responses API).
const CHAT_MODEL_TYPE_VERSION = 1.2;

const OPENAI_CREDENTIAL = { id: 'tlOpenAiMock0001', name: 'OpenAI (mock)' };

/** A field the model fills, as the editor writes it when you let the model define a parameter. */
const fromAi = (key: string, description: string, type = 'string') => `={{ $fromAI('${key}', '${description}', '${type}') }}`;

interface AgentCase {
	/** What the test says the agent does. */
	title: string;
	workflowId: string;
	prompt: string;
	/** The tool node; its name is the tool's name, with n8n's spaces turned into underscores. */
	tool: NodeSpec;
	toolName: string;
	arguments: Record<string, string>;
	/** The request of the operation, among all the API mock received. */
	operationRequest: (mocks: Mocks) => RecordedRequest[];
	/** What that request must be. */
	expectedRequest: { method: string; rawPath: string; query: Record<string, string>; body: unknown };
	/** The final answer the model gives, quoting the tool's result (the node's output items). */
	answer: (items: Array<Record<string, unknown>>) => string;
}

const CASES: AgentCase[] = [
	{
		title: 'Confluent Cloud redeems the share token the user gives, for the AWS account the user names',
		workflowId: 'e2eAgentConfluent',
		prompt: `Redeem the Confluent share token ${SHARE_TOKEN} for our AWS account 123456789012, then tell me the bootstrap server.`,
		tool: {
			name: 'Redeem a share token for API keys in Confluent Cloud',
			type: 'confluentCloud',
			parameters: {
				resource: 'sharedToken',
				operation: 'redeem',
				token: fromAi('share_token', 'The Stream Sharing token to redeem, exactly as the data provider sent it'),
				additionalFields: {
					awsAccount: fromAi('aws_account', 'The 12-digit AWS account ID for private network access'),
				},
			},
			credentials: { confluentCloudApi: { id: 'tlConfluentApi01', name: 'Confluent Cloud API (sandbox)' } },
		},
		toolName: 'Redeem_a_share_token_for_API_keys_in_Confluent_Cloud',
		arguments: { share_token: SHARE_TOKEN, aws_account: '123456789012' },
		operationRequest: (mocks) => mocks.confluent.server.requestsTo('/cdx/v1/shared-tokens:redeem'),
		expectedRequest: {
			method: 'POST',
			rawPath: '/cdx/v1/shared-tokens:redeem',
			query: {},
			body: { token: SHARE_TOKEN, aws_account: '123456789012' },
		},
		answer: ([redeemed]) => `Redeemed. Bootstrap server: ${String(redeemed.kafka_bootstrap_url)}.`,
	},
	{
		title: 'Run:ai exchanges the authorization code the user gives for tokens',
		workflowId: 'e2eAgentRunAi',
		prompt: `Exchange the Run:ai authorization code ${RUNAI_AUTH_CODE} from client ${RUNAI_CLIENT.id}, redirect URI ${RUNAI_REDIRECT_URI}, for an access token.`,
		tool: {
			name: 'Create an access token in Run:ai',
			type: 'runAi',
			parameters: {
				resource: 'token',
				operation: 'create',
				grantType: 'exchange_token',
				code: fromAi('authorization_code', 'The authorization code the login flow returned'),
				clientId: fromAi('client_id', 'The client ID the code was issued to'),
				redirectUri: fromAi('redirect_uri', 'The redirect URI the code was requested with'),
				options: {},
			},
			credentials: { runAiApi: { id: 'tlRunAiApi000001', name: 'Run:ai API (sandbox)' } },
		},
		toolName: 'Create_an_access_token_in_Run_ai',
		arguments: { authorization_code: RUNAI_AUTH_CODE, client_id: RUNAI_CLIENT.id, redirect_uri: RUNAI_REDIRECT_URI },
		operationRequest: (mocks) =>
			mocks.runAi.server.requestsTo('/api/v1/token').filter((request) => (request.body as { grantType?: string }).grantType === 'exchange_token'),
		expectedRequest: {
			method: 'POST',
			rawPath: '/api/v1/token',
			query: {},
			body: { grantType: 'exchange_token', code: RUNAI_AUTH_CODE, clientID: RUNAI_CLIENT.id, redirectUri: RUNAI_REDIRECT_URI },
		},
		answer: ([tokens]) => `Your access token expires in ${String(tokens.expiresIn)} seconds: ${String(tokens.accessToken)}`,
	},
	{
		title: 'Knetik Cloud reads the stored token of the user and client the user names',
		workflowId: 'e2eAgentKnetik',
		prompt: 'Which token has Knetik stored for user ada on client client-2?',
		tool: {
			name: 'Get the stored token of a user and client in Knetik Cloud',
			type: 'knetikCloud',
			parameters: {
				authentication: 'clientCredentials',
				resource: 'token',
				operation: 'get',
				username: fromAi('username', 'The Knetik username the token belongs to'),
				clientId: fromAi('client_id', 'The OAuth client ID the token was issued to'),
			},
			credentials: { knetikCloudOAuth2Api: { id: 'tlKnetikOAuth201', name: 'Knetik Cloud OAuth2 API (sandbox)' } },
		},
		toolName: 'Get_the_stored_token_of_a_user_and_client_in_Knetik_Cloud',
		arguments: { username: 'ada', client_id: 'client-2' },
		operationRequest: (mocks) => mocks.knetik.server.requestsTo('/auth/tokens/ada/client-2'),
		expectedRequest: { method: 'GET', rawPath: '/auth/tokens/ada/client-2', query: {}, body: undefined },
		answer: ([stored]) => `Knetik has stored ${String(stored.token)} for ada on client-2.`,
	},
	{
		title: 'C2M trades the credential’s long-term token for a short-term token with the scope the user asks for',
		workflowId: 'e2eAgentC2m',
		prompt: 'Get me a short-term C2M token that can only submit jobs (scope jobs:submit).',
		tool: {
			name: 'Issue a short term token in C2M',
			type: 'c2m',
			parameters: {
				authentication: 'longTermToken',
				resource: 'token',
				operation: 'issueShortTerm',
				additionalFields: { scopes: [fromAi('scope', 'The one C2M scope the token needs, such as jobs:submit')] },
			},
			credentials: { c2mLongTermTokenApi: { id: 'tlC2mLongTerm001', name: 'C2M Long-Term Token API (sandbox)' } },
		},
		toolName: 'Issue_a_short_term_token_in_C2M',
		arguments: { scope: 'jobs:submit' },
		operationRequest: (mocks) => mocks.c2m.server.requestsTo('/auth/tokens/short'),
		expectedRequest: { method: 'POST', rawPath: '/auth/tokens/short', query: {}, body: { scopes: ['jobs:submit'] } },
		answer: ([issued]) => `Token ${String(issued.token_id)} (scopes: ${String(issued.scopes)}) expires at ${String(issued.expires_at)}.`,
	},
];

/** The secret values among a credential's fields: everything but addresses, IDs and choices. */
function credentialSecrets(data: Record<string, unknown>): string[] {
	return Object.entries(data)
		.filter(([field, value]) => typeof value === 'string' && value !== '' && /secret|password|token|apiKey/i.test(field))
		.map(([, value]) => String(value));
}

/** What n8n authenticated with at an API: Bearer tokens, and the user and password of Basic auth. */
function authenticationSent(requests: RecordedRequest[]): string[] {
	return requests.flatMap((request) => {
		const [scheme, value] = String(request.headers.authorization ?? '').split(' ');
		if (scheme === 'Bearer' && value) return [value];
		if (scheme === 'Basic' && value) return Buffer.from(value, 'base64').toString('utf8').split(':');
		return [];
	});
}

let n8n: RealN8n;
const openAi = new OpenAiMock();

beforeAll(async () => {
	await openAi.server.start();
	n8n = await startRealN8n({ env: ALLOW_COMMUNITY_TOOLS });
	await n8n.importCredentials([
		{ ...OPENAI_CREDENTIAL, type: 'openAiApi', data: { apiKey: OPENAI_API_KEY, url: `${openAi.server.url}/v1` } },
	]);
	for (const agentCase of CASES) {
		openAi.script(agentCase.prompt, {
			tool: agentCase.toolName,
			arguments: agentCase.arguments,
			answer: (toolResult) => agentCase.answer(JSON.parse(toolResult) as Array<Record<string, unknown>>),
		} satisfies AgentScript);
	}
	await n8n.importWorkflows(
		CASES.map((agentCase) =>
			agentWorkflow(agentCase.workflowId, agentCase.title, {
				prompt: agentCase.prompt,
				agentTypeVersion: AGENT_TYPE_VERSION,
				model: { credential: OPENAI_CREDENTIAL, typeVersion: CHAT_MODEL_TYPE_VERSION },
				tool: agentCase.tool,
			}),
		),
	);
}, INSTALL_TIMEOUT);

afterAll(async () => {
	await n8n?.stop();
	await openAi.server.stop();
});

describe.each(CASES)('an AI Agent with the $tool.type tool', (agentCase) => {
	test(
		agentCase.title,
		async () => {
			const mocks = n8n.mocks.mocks;
			const execution = await n8n.execute(agentCase.workflowId);

			expect(execution.run.data.resultData.error).toBeUndefined();
			expect(execution.run.status).toBe('success');

			// The model was offered the tool, called it, and got its result back.
			const chat = openAi.requestsFor(agentCase.prompt);
			expect(chat).toHaveLength(2);
			const [first, second] = chat.map((request) => request.body as { tools: Array<{ function: { name: string; description: string } }>; messages: Array<{ role: string; content: unknown }> });
			expect(first.tools.map((tool) => tool.function.name)).toEqual([agentCase.toolName]);
			// With the Tool Description set automatically, n8n describes the tool by its action,
			// as the editor names the node.
			expect(first.tools[0].function.description).toBe(agentCase.tool.name);

			// The arguments reached the API exactly where the node puts them.
			const [sent, ...more] = agentCase.operationRequest(mocks);
			expect(more).toHaveLength(0);
			expect({
				method: sent.method,
				rawPath: sent.rawPath,
				query: Object.fromEntries(sent.query),
				body: sent.body,
			}).toEqual(agentCase.expectedRequest);

			// The API's answer went back to the model as the tool's result, and the node ran as the agent's tool.
			const toolMessage = second.messages.at(-1);
			expect(toolMessage?.role).toBe('tool');
			const toolResult = JSON.parse(textOf(toolMessage?.content)) as unknown;
			// The API's answer as the tool's output (token operations add expires_at).
			expect(toolResult).toEqual([expect.objectContaining((sent.response?.body ?? {}) as object)]);
			expect(runsOf(execution, agentCase.tool.name)).toHaveLength(1);

			// The agent's output is the model's final answer.
			const finalAnswer = agentCase.answer(toolResult as Array<Record<string, unknown>>);
			expect(jsonOf(execution, 'AI Agent')).toEqual([{ output: finalAnswer }]);

			// No secret n8n holds for the API reached the model's host: not the credentials' fields,
			// nor what the credentials authenticated with (tokens they fetched, the Basic key and
			// secret). The tool's result is the user's output and may hold tokens the operation
			// issued; those are not among these.
			const secrets = [
				...n8n.credentials.flatMap((credential) => credentialSecrets(credential.data)),
				...Object.values(mocks).flatMap((mock) => authenticationSent(mock.server.requests)),
			];
			expect(secrets.length).toBeGreaterThan(0);
			const sentToModel = chat.map((request) => JSON.stringify({ body: request.rawBody, headers: { ...request.headers, authorization: undefined } }));
			for (const secret of new Set(secrets)) {
				for (const text of sentToModel) expect(text).not.toContain(secret);
			}
			for (const request of chat) expect(request.headers.authorization).toBe(`Bearer ${OPENAI_API_KEY}`);
			// Nor did the model's key reach the APIs.
			const sentToApis = Object.values(mocks).flatMap((mock) => mock.server.requests.map((request) => JSON.stringify(request.headers) + request.rawBody));
			for (const text of sentToApis) expect(text).not.toContain(OPENAI_API_KEY);
		},
		E2E_TIMEOUT,
	);
});

test('n8n logged no warning or error while loading the package and running the agents', () => {
	expect(n8n.problems).toEqual([]);
});
