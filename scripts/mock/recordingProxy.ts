/**
 * A plain-http proxy that records what it is asked and passes nothing on: a tunnel (CONNECT) is
 * closed at once, any other request answered 502. It listens on every address, so a test can
 * reach it by this machine's network address, which the URL rules take for another machine.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Duplex } from 'node:stream';

/** This machine's first non-loopback IPv4 address; 127.0.0.1 where it has none. */
export const NETWORK_ADDRESS =
	Object.values(networkInterfaces())
		.flat()
		.find((entry) => entry?.family === 'IPv4' && !entry.internal)?.address ?? '127.0.0.1';

export class RecordingProxy {
	/** One line per request: method, target and the Authorization header it carried. */
	readonly seen: string[] = [];

	private readonly server: Server;

	constructor() {
		const record = (request: IncomingMessage) =>
			this.seen.push(`${request.method} ${request.url} authorization: ${request.headers.authorization ?? 'none'}`);
		this.server = createServer((request, response) => {
			record(request);
			response.writeHead(502).end();
		});
		this.server.on('connect', (request: IncomingMessage, socket: Duplex) => {
			record(request);
			socket.destroy();
		});
	}

	async start(): Promise<void> {
		await new Promise<void>((resolve) => this.server.listen(0, '0.0.0.0', resolve));
	}

	async stop(): Promise<void> {
		await new Promise((resolve) => this.server.close(resolve));
	}

	url(host = NETWORK_ADDRESS): string {
		return `http://${host}:${(this.server.address() as AddressInfo).port}`;
	}
}
