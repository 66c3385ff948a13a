import { createHash } from 'crypto';
import type { ICredentialDataDecryptedObject, IDataObject, INodeProperties } from 'n8n-workflow';

/** A hash, so the values themselves are not kept. */
export function hashOf(values: unknown[]): string {
	return createHash('sha256').update(JSON.stringify(values)).digest('hex');
}

export interface SessionToken {
	accessToken: string;
	renewAfter?: number;
}

export const SESSION_TOKEN = 'sessionToken';

/** n8n runs preAuthentication when this is empty or was answered 401, and stores what it returns. */
export const sessionTokenProperty: INodeProperties = {
	displayName: 'Session Token',
	name: SESSION_TOKEN,
	type: 'hidden',
	typeOptions: { expirable: true, password: true },
	default: '',
};

/*
 * `<fingerprint>[@<renew after, epoch ms>]:<token>`, the fingerprint a hash of the values it was
 * issued for: after the user changes them (a new address), the old token is not sent.
 */
const BOUND_TOKEN = /^([0-9a-f]{32})(?:@(\d+))?:([\s\S]+)$/;

function fingerprintOf(identity: unknown[]): string {
	return hashOf(identity).slice(0, 32);
}

export function storedSessionToken(credentials: ICredentialDataDecryptedObject, identity: unknown[]): SessionToken | undefined {
	const stored = credentials[SESSION_TOKEN];
	const match = typeof stored === 'string' ? BOUND_TOKEN.exec(stored) : null;
	if (!match || match[1] !== fingerprintOf(identity)) return undefined;
	return { accessToken: match[3], renewAfter: match[2] === undefined ? undefined : Number(match[2]) };
}

export function storedAccessToken(credentials: IDataObject): string | undefined {
	const stored = credentials[SESSION_TOKEN];
	return typeof stored === 'string' ? BOUND_TOKEN.exec(stored)?.[3] : undefined;
}

export function storedForm(identity: unknown[], { accessToken, renewAfter }: SessionToken): ICredentialDataDecryptedObject {
	const fingerprint = fingerprintOf(identity);
	return { [SESSION_TOKEN]: `${renewAfter === undefined ? fingerprint : `${fingerprint}@${Math.floor(renewAfter)}`}:${accessToken}` };
}
