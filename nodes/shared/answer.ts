/*
 * Every answer is asked for as a stream (`encoding: 'stream'`) and read here: n8n reads an answer
 * whole, with no size limit, for as long as the server keeps sending.
 */
import type { IN8nHttpResponse } from 'n8n-workflow';

import { MAX_TIMEOUT_MS, timeoutError } from './timeout';
import { UserError } from './userError';

/** The documented answers are a few kilobytes; a page of 100 Knetik tokens, a few hundred. */
const MAX_ANSWER_MB = 10;
const MAX_ANSWER_BYTES = MAX_ANSWER_MB * 1024 * 1024;

interface AnswerStream {
	on(event: string, listener: (...args: never[]) => void): unknown;
	destroy(): unknown;
}

function isStream(body: unknown): body is AnswerStream {
	const candidate = body as Partial<AnswerStream> | null | undefined;
	return typeof candidate?.on === 'function' && typeof candidate.destroy === 'function';
}

/** As axios gives it: JSON where it parses, text otherwise. */
function parsed(bytes: Buffer): IN8nHttpResponse {
	const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
	if (text === '') return text;
	try {
		return JSON.parse(text) as IN8nHttpResponse;
	} catch {
		return text;
	}
}

function readCapped(stream: AnswerStream, who: string, timeoutMs: number): Promise<IN8nHttpResponse> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		const deadline = AbortSignal.timeout(Math.min(timeoutMs, MAX_TIMEOUT_MS));
		const stop = (error: Error) => {
			deadline.removeEventListener('abort', onDeadline);
			stream.destroy();
			reject(error);
		};
		const onDeadline = () => stop(timeoutError(timeoutMs));
		deadline.addEventListener('abort', onDeadline, { once: true });
		stream.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
			else
				stop(
					new UserError(
						`${who} sent an answer larger than ${MAX_ANSWER_MB} MB, the most the node reads`,
						`The node stopped reading at ${MAX_ANSWER_MB} MB and used none of it. The documented answers are a few kilobytes, so the address may not be the API’s: check the base URL (in the credential, or the node’s Base URL field).`,
					),
				);
		});
		stream.on('error', stop);
		stream.on('end', () => {
			deadline.removeEventListener('abort', onDeadline);
			resolve(parsed(Buffer.concat(chunks)));
		});
	});
}

const reads = new WeakMap<AnswerStream, Promise<IN8nHttpResponse>>();

/** The body read and parsed, once per stream however many callers ask; anything else as it is. `who` starts the error. */
export async function readAnswer(body: unknown, who: string, timeoutMs: number): Promise<IN8nHttpResponse> {
	if (!isStream(body)) return body as IN8nHttpResponse;
	let read = reads.get(body);
	if (!read) {
		read = readCapped(body, who, timeoutMs);
		reads.set(body, read);
	}
	return await read;
}
