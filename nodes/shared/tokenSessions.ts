/* What this process knows of each credential's token: one fetch for all callers, its expiry, a refusal. */
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { TokenRenewalNeeded } from './n8nInternals';
import { storedAccessToken, storedForm, storedSessionToken, hashOf, type SessionToken } from './storedToken';
import { CLOCK_SKEW_ALLOWANCE_MS } from './tokenExpiry';
import { isPassingFailure } from './tokenEndpoint';
import { UserError } from './userError';

export interface IssuedToken {
	accessToken: string;
	expiresAt?: number;
}

/** Renew this long before expiry... */
const EXPIRY_MARGIN_MS = 60_000;

/** ...or, for tokens that live less than ten minutes, this share of their lifetime. */
const EXPIRY_MARGIN_SHARE = 0.1;

function renewAfterOf({ accessToken, expiresAt }: IssuedToken): SessionToken {
	if (expiresAt === undefined) return { accessToken };
	const margin = Math.min(EXPIRY_MARGIN_MS, Math.max(0, expiresAt - Date.now()) * EXPIRY_MARGIN_SHARE);
	return { accessToken, renewAfter: expiresAt - margin };
}

function expiresLater(token: SessionToken, than: SessionToken): boolean {
	return token.renewAfter !== undefined && than.renewAfter !== undefined && token.renewAfter > than.renewAfter;
}

function isFresh(token: SessionToken | undefined): token is SessionToken {
	return token !== undefined && (token.renewAfter === undefined || token.renewAfter > Date.now());
}

/** Shared by every item, node and execution of this process. */
interface Session {
	token?: SessionToken;
	pending?: Promise<SessionToken>;
	refusal?: { error: UserError; until: number };
}

/** Identity providers lock an account after a few refusals, and n8n's HTTP Request node asks once per item. */
export const REFUSAL_MEMORY_MS = 30_000;

const sessions = new Map<string, Session>();

const sentTokens = new WeakMap<ICredentialDataDecryptedObject, string>();

const processOnly = new WeakSet<ICredentialDataDecryptedObject>();

/** For a credential with expressions: n8n 1.x would write the resolved values over them when storing a token. */
export function keepTokenInProcess(credentials: ICredentialDataDecryptedObject): void {
	processOnly.add(credentials);
}

/** Credentials objects whose request authenticate held back for a renewal. */
const renewalClaims = new WeakSet<ICredentialDataDecryptedObject>();

function sessionOf(identity: unknown[]): Session {
	const key = hashOf(identity);
	if (!sessions.has(key)) sessions.set(key, {});
	return sessions.get(key)!;
}

/** Sending a dead token would only earn a 401, and the renewal the same dead token. */
function usableOnArrival(token: IssuedToken): IssuedToken {
	if (token.expiresAt !== undefined && token.expiresAt <= Date.now()) {
		throw new UserError(
			'The credential could not get an access token: the token endpoint issued one that had already expired',
			`Its lifetime (expires_in, or expires_at allowing ${CLOCK_SKEW_ALLOWANCE_MS / 60_000} minutes for clock differences) had ended when it arrived, so it was not sent. Check the token lifetime the provider is set to issue, and its clock.`,
		);
	}
	return token;
}

function startFetch(session: Session, fetchToken: () => Promise<IssuedToken>): Promise<SessionToken> {
	const { refusal } = session;
	if (refusal && refusal.until > Date.now()) {
		const again = `Not asked again: the credential asks ${REFUSAL_MEMORY_MS / 1000} seconds after a refusal, or at once when its values change.`;
		return Promise.reject(new UserError(refusal.error.message, `${refusal.error.description} ${again}`));
	}
	const pending = fetchToken().then(usableOnArrival).then(renewAfterOf);
	session.pending = pending;
	pending.then(
		(token) => {
			session.token = token;
			session.refusal = undefined;
			if (session.pending === pending) session.pending = undefined;
		},
		(error: unknown) => {
			if (session.pending === pending) session.pending = undefined;
			if (error instanceof UserError && !isPassingFailure(error)) session.refusal = { error, until: Date.now() + REFUSAL_MEMORY_MS };
		},
	);
	return pending;
}

/** The stored one, and every one this process holds (another item may have renewed it). */
export function managedTokens(credentials: IDataObject): string[] {
	return [storedAccessToken(credentials), ...[...sessions.values()].map((session) => session.token?.accessToken)].filter(
		(token): token is string => token !== undefined,
	);
}

/** Waits for a fetch under way and takes the newest token; without one, n8n runs preAuthentication. */
export async function accessTokenToSend(
	credentials: ICredentialDataDecryptedObject,
	identity: unknown[],
): Promise<string> {
	const session = sessionOf(identity);
	if (session.pending) await session.pending.catch(() => undefined);
	let token = isFresh(session.token) ? session.token : undefined;
	const stored = storedSessionToken(credentials, identity);
	if (isFresh(stored) && stored.accessToken !== session.token?.accessToken && (!token || expiresLater(stored, token))) {
		// Renewed by another process (a queue-mode worker).
		token = session.token = stored;
	}
	if (!token) {
		renewalClaims.add(credentials);
		throw new TokenRenewalNeeded();
	}
	sentTokens.set(credentials, token.accessToken);
	return token.accessToken;
}

/**
 * What preAuthentication returns. n8n writes the credential to its database whenever this holds a
 * token, so only the caller that fetched it or had a request refused or held back gets it.
 */
export async function sessionToken(
	credentials: ICredentialDataDecryptedObject,
	identity: unknown[],
	fetchToken: () => Promise<IssuedToken>,
): Promise<ICredentialDataDecryptedObject> {
	const session = sessionOf(identity);
	const claimed = renewalClaims.delete(credentials);
	// The token this caller's request carried; none when n8n calls before sending, its copy empty.
	const held = sentTokens.get(credentials) ?? storedSessionToken(credentials, identity)?.accessToken;
	const handBack = (token: SessionToken, toThisCaller: boolean) =>
		toThisCaller && !processOnly.has(credentials) ? storedForm(identity, token) : {};
	const hadToken = claimed || held !== undefined;
	if (session.pending) return handBack(await session.pending, hadToken);
	if (isFresh(session.token) && session.token.accessToken !== held) return handBack(session.token, hadToken);
	return handBack(await startFetch(session, fetchToken), true);
}
