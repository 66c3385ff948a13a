/**
 * An OpenAI-compatible chat completions API that plays the model of an AI agent, so that a
 * real n8n AI Agent can run offline. It checks each request as OpenAI's API does (`POST
 * /v1/chat/completions`, JSON, `Authorization: Bearer <key>`, `model`, `messages`, and `tools`
 * as function definitions) and answers from a script chosen by the user's prompt: the first
 * call gets a call of one tool with set arguments, the call that brings the tool's result back
 * gets a final answer made from that result. A tool missing from the request's `tools`, or an
 * argument its parameters do not define, is refused with an error the agent reports.
 *
 * Errors are OpenAI's: `{ error: { message, type, param, code } }`.
 */
import { check, mintToken, MockServer, type MockResponse, type RecordedRequest } from './server.ts';

export const OPENAI_API_KEY = 'sk-mock-openai-key-5b0e1f2a9c';

export function openAiErrorBody(_status: number, message: string, code: string) {
	return { error: { message, type: 'invalid_request_error', param: null, code } };
}

/** What the model does for one prompt. */
export interface AgentScript {
	/** The name of the tool to call, as it appears in the request's `tools`. */
	tool: string;
	/** The arguments of the call, which the tool's parameters must define. */
	arguments: Record<string, unknown>;
	/** The final answer, made from the content of the tool's result message. */
	answer: (toolResult: string) => string;
}

interface ChatMessage {
	role: string;
	content?: unknown;
	tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
	tool_call_id?: string;
}

interface ToolDefinition {
	type: string;
	function?: { name?: string; description?: string; parameters?: { properties?: Record<string, unknown>; required?: string[] } };
}

/** The text of a message's content: a string, or the text parts of a content array. */
export function textOf(content: unknown): string {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) {
		return content.map((part) => (typeof part === 'object' && part && 'text' in part ? String(part.text) : '')).join('');
	}
	return '';
}

export class OpenAiMock {
	readonly server: MockServer;

	/** Scripts by the text of the user's message. */
	private readonly scripts = new Map<string, AgentScript>();

	/** The tool calls this model made, by their ID, so that a result must answer one of them. */
	private readonly toolCalls = new Map<string, string>();

	constructor() {
		this.server = new MockServer({
			name: 'OpenAI',
			errorBody: openAiErrorBody,
			commonHeaders: () => ({ 'x-request-id': mintToken('req') }),
			routes: [{ method: 'POST', path: '/v1/chat/completions', handler: (r) => this.complete(r) }],
		});
	}

	/** The model answers this prompt (the user message's text) with `script`. */
	script(prompt: string, script: AgentScript): void {
		this.scripts.set(prompt, script);
	}

	/** The chat requests that carried this prompt, in order. */
	requestsFor(prompt: string): RecordedRequest[] {
		return this.server
			.requestsTo('/v1/chat/completions')
			.filter((request) => this.messagesOf(request).some((message) => message.role === 'user' && textOf(message.content) === prompt));
	}

	private messagesOf(request: RecordedRequest): ChatMessage[] {
		const messages = (request.body as { messages?: unknown } | undefined)?.messages;
		return Array.isArray(messages) ? (messages as ChatMessage[]) : [];
	}

	private invalid(message: string, code = 'invalid_request'): MockResponse {
		return this.server.error(400, message, code);
	}

	private complete(request: RecordedRequest): MockResponse {
		if (check.bearer(request) !== OPENAI_API_KEY) {
			return this.server.error(401, 'Incorrect API key provided.', 'invalid_api_key');
		}
		const badBody = check.contentType(request, 'application/json') ?? check.jsonObject(request);
		if (badBody) return this.invalid(badBody);
		const body = request.body as Record<string, unknown>;
		if (typeof body.model !== 'string' || body.model === '') return this.invalid('you must provide a model parameter', 'missing_model');
		if (body.stream === true) return this.invalid('This mock answers without streaming; the request asked for a stream');
		const messages = this.messagesOf(request);
		if (messages.length === 0 || messages.some((message) => typeof message?.role !== 'string')) {
			return this.invalid('messages must be a non-empty array of messages with a role');
		}
		const tools = body.tools;
		if (!Array.isArray(tools) || tools.length === 0) return this.invalid('The agent sent no tools');
		const malformed = (tools as ToolDefinition[]).find((tool) => tool.type !== 'function' || typeof tool.function?.name !== 'string');
		if (malformed) return this.invalid(`Invalid tool definition: ${JSON.stringify(malformed)}`);

		const prompt = messages.find((message) => message.role === 'user');
		const script = prompt && this.scripts.get(textOf(prompt.content));
		if (!script) return this.invalid(`The mock model has no script for the prompt ${JSON.stringify(textOf(prompt?.content))}`);

		const last = messages[messages.length - 1];
		if (last.role === 'tool') {
			if (!last.tool_call_id || this.toolCalls.get(last.tool_call_id) !== script.tool) {
				return this.invalid(`The tool message answers no call this model made (tool_call_id ${String(last.tool_call_id)})`);
			}
			return this.answer(body.model, { role: 'assistant', content: script.answer(textOf(last.content)) }, 'stop');
		}
		if (last.role !== 'user') return this.invalid(`The mock model cannot answer a conversation that ends with a ${last.role} message`);

		const offered = (tools as ToolDefinition[]).map((tool) => tool.function?.name);
		const tool = (tools as ToolDefinition[]).find((candidate) => candidate.function?.name === script.tool);
		if (!tool) {
			return this.invalid(`The request offers no tool named "${script.tool}" (tools offered: ${offered.join(', ')})`, 'unknown_tool');
		}
		const parameters = tool.function?.parameters ?? {};
		const defined = Object.keys(parameters.properties ?? {});
		const undefinedArguments = Object.keys(script.arguments).filter((name) => !defined.includes(name));
		const missing = (parameters.required ?? []).filter((name) => !(name in script.arguments));
		if (undefinedArguments.length || missing.length) {
			return this.invalid(
				`The arguments do not fit the parameters of "${script.tool}" (${defined.join(', ')}): ` +
					`undefined ${undefinedArguments.join(', ') || 'none'}, missing ${missing.join(', ') || 'none'}`,
				'invalid_tool_arguments',
			);
		}
		const id = mintToken('call');
		this.toolCalls.set(id, script.tool);
		return this.answer(
			body.model,
			{
				role: 'assistant',
				content: null,
				tool_calls: [{ id, type: 'function', function: { name: script.tool, arguments: JSON.stringify(script.arguments) } }],
			},
			'tool_calls',
		);
	}

	private answer(model: string, message: Record<string, unknown>, finishReason: string): MockResponse {
		return {
			status: 200,
			body: {
				id: mintToken('chatcmpl'),
				object: 'chat.completion',
				created: Math.floor(Date.now() / 1000),
				model,
				choices: [{ index: 0, message: { refusal: null, ...message }, logprobs: null, finish_reason: finishReason }],
				usage: { prompt_tokens: 50, completion_tokens: 20, total_tokens: 70 },
			},
		};
	}
}
