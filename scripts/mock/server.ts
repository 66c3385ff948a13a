/**
 * A small loopback HTTP server for the provider mocks: it records every request as received
 * (raw path, headers, body) and dispatches to routes that enforce the provider's spec.
 * Written with erasable TypeScript only, so `npm start` can run it with Node's type stripping.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
	method: string;
	/** The path exactly as sent, before any decoding. */
	rawPath: string;
	/** Path segments, each decoded once. */
	segments: string[];
	query: URLSearchParams;
	headers: IncomingMessage['headers'];
	rawBody: string;
	/** The body parsed by its content type: JSON, form fields, or undefined. */
	body: unknown;
	/** What the mock answered. */
	response?: MockResponse;
}

export interface MockResponse {
	status: number;
	body?: unknown;
	/** Sent as it is instead of `body` as JSON: what a proxy, a captive portal or a wrong host answers. */
	rawBody?: string;
	headers?: Record<string, string>;
	/** Sends the headers at once, then the body one byte every this many ms: a server that trickles. */
	trickleMs?: number;
	/** Instead of `body`, a JSON object padded to this many bytes, as fast as the client reads: an answer too big to hold. */
	floodBytes?: number;
	/** Recorded: the bytes of `floodBytes` sent before the client hung up. */
	sentBytes?: number;
}

/** Answers a request; `params` holds the values of the route's `:name` segments. */
export type Handler = (
	request: RecordedRequest,
	params: Record<string, string>,
) => MockResponse | Promise<MockResponse>;

export interface Route {
	method: string;
	/** Segments to match; `:name` matches any one segment. */
	path: string;
	handler: Handler;
}

function parseBody(contentType: string, rawBody: string): unknown {
	if (rawBody === '') return undefined;
	if (contentType.startsWith('application/json')) {
		try {
			return JSON.parse(rawBody);
		} catch {
			return Symbol.for('invalid-json');
		}
	}
	if (contentType.startsWith('application/x-www-form-urlencoded')) {
		return Object.fromEntries(new URLSearchParams(rawBody));
	}
	return undefined;
}

export const INVALID_JSON = Symbol.for('invalid-json');

function matchPath(path: string, segments: string[]): Record<string, string> | undefined {
	const pattern = path.split('/').filter(Boolean);
	if (pattern.length !== segments.length) return undefined;
	const params: Record<string, string> = {};
	for (let i = 0; i < pattern.length; i++) {
		if (pattern[i].startsWith(':')) params[pattern[i].slice(1)] = segments[i];
		else if (pattern[i] !== segments[i]) return undefined;
	}
	return params;
}

export interface MockServerOptions {
	name: string;
	routes: Route[];
	/** The provider's error body for a status and message. */
	errorBody: (status: number, message: string, code: string) => unknown;
	/** Headers the provider sends with every response (a request id, for example). */
	commonHeaders?: () => Record<string, string>;
}

export class MockServer {
	readonly name: string;

	readonly requests: RecordedRequest[] = [];

	/** The most requests this server was answering at once since the last clearRequests. */
	peakInFlight = 0;

	private inFlight = 0;

	/** How long each answer is held back, as a busy server would (0: answered at once). */
	answerDelayMs = 0;

	private readonly options: MockServerOptions;

	private readonly server: Server;

	private readonly faults: Array<MockResponse | Handler> = [];

	private readonly matchedFaults: Array<{ match: (request: RecordedRequest) => boolean; response: MockResponse | Handler }> = [];

	constructor(options: MockServerOptions) {
		this.name = options.name;
		this.options = options;
		this.server = createServer((req, res) => void this.handle(req, res));
	}

	get url(): string {
		const { port } = this.server.address() as AddressInfo;
		return `http://127.0.0.1:${port}`;
	}

	async start(port = 0): Promise<this> {
		await new Promise<void>((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(port, '127.0.0.1', () => resolve());
		});
		return this;
	}

	async stop(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	/** Requests received for one path (exact raw path, without the query). */
	requestsTo(rawPath: string): RecordedRequest[] {
		return this.requests.filter((request) => request.rawPath === rawPath);
	}

	clearRequests(): void {
		this.requests.length = 0;
		this.peakInFlight = 0;
	}

	/** The next request gets this error instead of its normal answer (server faults the API documents). */
	failNext(status: number, message = 'Injected failure', code = 'injected'): void {
		this.faults.push({ status, body: this.options.errorBody(status, message, code) });
	}

	/** Every request `match` accepts gets `response` (status 0: no answer at all) until clearFaults(). */
	answerWhen(match: (request: RecordedRequest) => boolean, response: MockResponse | Handler): void {
		this.matchedFaults.push({ match, response });
	}

	clearFaults(): void {
		this.faults.length = 0;
		this.matchedFaults.length = 0;
	}

	/** The next request is received and never answered: a server that hangs. */
	hangNext(): void {
		this.faults.push({ status: 0 });
	}

	/** The next request gets this answer instead of its normal one: a misbehaving server or a proxy in the way. */
	answerNext(response: MockResponse | Handler): void {
		this.faults.push(response);
	}

	/** The next request is answered with a redirect (a moved API, or a hostile one) instead of its normal answer. */
	redirectNext(status: number, location: string): void {
		this.answerNext({ status, headers: { location } });
	}

	error(status: number, message: string, code: string, headers?: Record<string, string>): MockResponse {
		return { status, body: this.options.errorBody(status, message, code), headers };
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		this.inFlight++;
		this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
		res.on('close', () => this.inFlight--);
		if (this.answerDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.answerDelayMs));
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const rawBody = Buffer.concat(chunks).toString('utf8');
		const rawUrl = req.url ?? '/';
		const queryStart = rawUrl.indexOf('?');
		const rawPath = queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart);
		const request: RecordedRequest = {
			method: req.method ?? 'GET',
			rawPath,
			segments: rawPath
				.split('/')
				.filter(Boolean)
				.map((segment) => decodeURIComponent(segment)),
			query: new URLSearchParams(queryStart === -1 ? '' : rawUrl.slice(queryStart + 1)),
			headers: req.headers,
			rawBody,
			body: parseBody(String(req.headers['content-type'] ?? ''), rawBody),
		};
		this.requests.push(request);

		let response: MockResponse;
		try {
			const fault = this.faults.shift() ?? this.matchedFaults.find((matched) => matched.match(request))?.response;
			response = (typeof fault === 'function' ? await fault(request, {}) : fault) ?? (await this.route(request));
		} catch (error) {
			response = this.error(500, `Mock failure: ${(error as Error).message}`, 'mock_failure');
		}
		if (response.status === 0) return; // hangNext: the connection stays open, unanswered, until stop()
		const headers: Record<string, string> = {
			...(this.options.commonHeaders?.() ?? {}),
			...(response.headers ?? {}),
		};
		if (response.body !== undefined) headers['content-type'] ??= 'application/json';
		request.response = { ...response, headers };
		res.writeHead(response.status, headers);
		if (response.floodBytes !== undefined) {
			await this.flood(res, response.floodBytes, request.response!);
			return;
		}
		const body = response.rawBody ?? (response.body === undefined ? undefined : JSON.stringify(response.body));
		if (response.trickleMs === undefined || body === undefined) {
			res.end(body);
			return;
		}
		res.flushHeaders();
		for (const byte of Buffer.from(body)) {
			if (res.destroyed) return;
			await new Promise((resolve) => setTimeout(resolve, response.trickleMs));
			res.write(Buffer.from([byte]));
		}
		res.end();
	}

	private async flood(res: ServerResponse, bytes: number, recorded: MockResponse): Promise<void> {
		const chunk = Buffer.alloc(64 * 1024, 'x');
		res.write('{"padding":"');
		recorded.sentBytes = 0;
		while (recorded.sentBytes < bytes && !res.destroyed) {
			recorded.sentBytes += chunk.length;
			if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
		}
		res.end('"}');
	}

	private async route(request: RecordedRequest): Promise<MockResponse> {
		const onPath = this.options.routes.filter(
			(route) => matchPath(route.path, request.segments) !== undefined,
		);
		if (onPath.length === 0) {
			return this.error(404, `No route for ${request.rawPath}`, 'not_found');
		}
		const route = onPath.find((candidate) => candidate.method === request.method);
		if (!route) {
			return this.error(405, `${request.method} is not allowed on ${request.rawPath}`, 'method_not_allowed');
		}
		return await route.handler(request, matchPath(route.path, request.segments) ?? {});
	}
}

/** Checks shared by the mocks; each returns an error message or undefined. */
export const check = {
	contentType(request: RecordedRequest, expected: string): string | undefined {
		const actual = String(request.headers['content-type'] ?? '');
		return actual.startsWith(expected)
			? undefined
			: `Content-Type must be ${expected}, got "${actual || 'none'}"`;
	},
	jsonObject(request: RecordedRequest): string | undefined {
		if (request.body === INVALID_JSON) return 'The body is not valid JSON';
		return typeof request.body === 'object' && request.body !== null && !Array.isArray(request.body)
			? undefined
			: 'The body must be a JSON object';
	},
	/** Keys outside `allowed` are refused, where the spec forbids them or marks them read-only. */
	onlyKeys(body: Record<string, unknown>, allowed: string[]): string | undefined {
		const extra = Object.keys(body).filter((key) => !allowed.includes(key));
		return extra.length ? `Unexpected field(s): ${extra.join(', ')}` : undefined;
	},
	requiredStrings(body: Record<string, unknown>, fields: string[]): string | undefined {
		const missing = fields.filter((field) => typeof body[field] !== 'string' || body[field] === '');
		return missing.length ? `Missing required field(s): ${missing.join(', ')}` : undefined;
	},
	bearer(request: RecordedRequest): string | undefined {
		const match = /^Bearer (\S+)$/.exec(String(request.headers.authorization ?? ''));
		return match?.[1];
	},
	basic(request: RecordedRequest): { username: string; password: string } | undefined {
		const match = /^Basic (\S+)$/.exec(String(request.headers.authorization ?? ''));
		if (!match) return undefined;
		const decoded = Buffer.from(match[1], 'base64').toString('utf8');
		const colon = decoded.indexOf(':');
		return colon === -1
			? undefined
			: { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
	},
};

let counter = 0;

/** A unique, recognisable token value. */
export function mintToken(prefix: string): string {
	counter += 1;
	return `${prefix}_${Date.now().toString(36)}${counter.toString(36)}${Math.random().toString(36).slice(2, 10)}`;
}
