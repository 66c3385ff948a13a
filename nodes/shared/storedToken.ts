/*
 * The token as a credential stores it, in the hidden field n8n keeps (encrypted) with the rest of
 * the credential, bound to the credential values it was issued for.
 */
import { createHash } from 'crypto';
import type { ICredentialDataDecryptedObject, IDataObject, INodeProperties } from 'n8n-workflow';

/** Identifies a credential by the values that decide which token it gets, without keeping them. */
export function tokenCacheKey(identity: unknown[]): string {
	return createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}

/** A token and when to stop sending it (epoch ms; never, when the provider gave no expiry). */
export interface SessionToken {
	accessToken: string;
	renewAfter?: number;
}

/** Name of the hidden field where a token-managing credential keeps its current token. */
export const SESSION_TOKEN = 'sessionToken';

/**
 * The hidden field n8n watches: it calls the credential's preAuthentication whenever this is
 * empty or a request with it was answered 401, and stores what preAuthentication returns.
 */
export const sessionTokenProperty: INodeProperties = {
	displayName: 'Session Token',
	name: SESSION_TOKEN,
	type: 'hidden',
	typeOptions: { expirable: true, password: true },
	default: '',
};

/*
 * A stored token is bound to the credential values it was issued for (base URL, token URL,
 * client, pool...): it is stored as `<fingerprint>:<token>`, the fingerprint being a hash of
 * those values, or `<fingerprint>@<renew after, epoch ms>:<token>` when its expiry is known.
 * When the user changes one of the values, n8n keeps the stored token, but it no longer
 * matches: the credential sends no token at all and fetches a new one, from the new address.
 * The old token never goes there.
 */
const BOUND_TOKEN = /^([0-9a-f]{32})(?:@(\d+))?:([\s\S]+)$/;

function fingerprintOf(identity: unknown[]): string {
	return tokenCacheKey(identity).slice(0, 32);
}

export function storedSessionToken(credentials: ICredentialDataDecryptedObject, identity: unknown[]): SessionToken | undefined {
	const stored = credentials[SESSION_TOKEN];
	const match = typeof stored === 'string' ? BOUND_TOKEN.exec(stored) : null;
	if (!match || match[1] !== fingerprintOf(identity)) return undefined;
	return { accessToken: match[3], renewAfter: match[2] === undefined ? undefined : Number(match[2]) };
}

/** The access token a credential's data holds, whatever values it was issued for. */
export function storedAccessToken(credentials: IDataObject): string | undefined {
	const stored = credentials[SESSION_TOKEN];
	return typeof stored === 'string' ? BOUND_TOKEN.exec(stored)?.[3] : undefined;
}

/** The stored session token when it was issued for these credential values; undefined otherwise. */
export function boundSessionToken(
	credentials: ICredentialDataDecryptedObject,
	identity: unknown[],
): string | undefined {
	return storedSessionToken(credentials, identity)?.accessToken;
}

export function storedForm(identity: unknown[], { accessToken, renewAfter }: SessionToken): ICredentialDataDecryptedObject {
	const fingerprint = fingerprintOf(identity);
	return { [SESSION_TOKEN]: `${renewAfter === undefined ? fingerprint : `${fingerprint}@${Math.floor(renewAfter)}`}:${accessToken}` };
}
