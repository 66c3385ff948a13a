import type { INodeProperties } from 'n8n-workflow';
import { UserError } from './userError';

export const ALLOW_UNENCRYPTED_HTTP = 'allowUnencryptedHttp';

export const allowUnencryptedHttpProperty: INodeProperties = {
	displayName: 'Allow Unencrypted HTTP (Insecure)',
	name: ALLOW_UNENCRYPTED_HTTP,
	type: 'boolean',
	default: false,
	description:
		'Whether to send this credential’s secrets over plain http:// to a machine other than this one. Anyone on the network path can read them. Leave off unless the server cannot use https://. Addresses on this machine (localhost, 127.0.0.1, ::1) may use http:// either way.',
};

const URL_RULES =
	'Nothing was sent. Addresses on this machine (localhost, 127.0.0.1, ::1) may use http://; any other needs https:// unless the credential allows unencrypted HTTP.';

const unsafeUrl = (message: string) => new UserError(message, URL_RULES);

function isLoopback(hostname: string): boolean {
	return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

export function parsedUrl(url: string, base?: string): URL | undefined {
	try {
		return new URL(url, base);
	} catch {
		return undefined;
	}
}

/** Anyone on the way to another machine reads plain http://. */
function plainHttpElsewhere(url: string): boolean {
	const parsed = parsedUrl(url);
	return parsed?.protocol === 'http:' && !isLoopback(parsed.hostname);
}

/** `allowHttp` is undefined where no credential offers the option. */
export function assertEncryptedUnlessLocal(url: string, field: string, allowHttp: boolean | undefined): void {
	if (plainHttpElsewhere(url) && !allowHttp) {
		throw unsafeUrl(
			allowHttp === undefined
				? `${field} uses unencrypted http://, which would send secrets in clear text: use https://`
				: `${field} uses unencrypted http://, which would send the credential’s secrets in clear text: use https://, or turn on Allow Unencrypted HTTP (Insecure) in the credential`,
		);
	}
}

/** n8n tunnels an https:// request through any proxy (CONNECT: the proxy sees the host only); an http:// one it hands over whole. */
export function assertSafeProxy(
	proxy: { host?: string; protocol?: string } | string | undefined,
	target: string,
	allowHttp: boolean | undefined,
): void {
	if (!proxy || allowHttp || parsedUrl(target)?.protocol !== 'http:') return;
	if (!plainHttpElsewhere(typeof proxy === 'string' ? proxy : `${proxy.protocol ?? 'http'}://${proxy.host ?? ''}`)) return;
	throw new UserError(
		'The proxy would read this http:// request whole, secrets included',
		`The node’s proxy (Settings > Request Options > Proxy; in the HTTP Request node, Options > Proxy) is a plain http:// proxy on another machine, and the request goes to an http:// address. Use an https:// address (a proxy then only tunnels it, unread), an https:// proxy or one on this machine${allowHttp === undefined ? '' : ', or turn on Allow Unencrypted HTTP (Insecure) in the credential'}. Nothing was sent.`,
	);
}

/** For every address at the moment it is sent; axios would send user:password@ as Basic auth. */
export function assertSendable(url: string, field: string, allowHttp: boolean | undefined): void {
	const parsed = parsedUrl(url);
	if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
		throw unsafeUrl(`${field} must start with https://`);
	}
	if (parsed.username !== '' || parsed.password !== '') {
		throw unsafeUrl(`${field} must not contain a user name or password (user:password@)`);
	}
	assertEncryptedUnlessLocal(url, field, allowHttp);
}

/** Trimmed; a query or fragment would send requests elsewhere. No message holds the value: `user:password@` is secret. */
export function checkedUrl(value: unknown, field: string, allowHttp: boolean | undefined): string {
	const text = typeof value === 'string' ? value.trim() : '';
	if (text === '') throw unsafeUrl(`${field} is required`);
	const parsed = parsedUrl(text);
	if (!parsed) throw unsafeUrl(`${field} is not a valid address: write it like https://api.example.com`);
	if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
		throw unsafeUrl(`${field} must start with https://`);
	}
	if (parsed.username !== '' || parsed.password !== '' || /^[a-z]+:\/\/[^/]*@/i.test(text)) {
		throw unsafeUrl(
			`${field} must not contain a user name or password (user:password@): the credential sends its own`,
		);
	}
	if (text.includes('?')) throw unsafeUrl(`${field} must not contain a query (?...)`);
	if (text.includes('#')) throw unsafeUrl(`${field} must not contain a fragment (#...)`);
	assertEncryptedUnlessLocal(text, field, allowHttp);
	return text.replace(/\/+$/, '');
}
