/*
 * Token sessions: what this n8n process knows of each credential's token (one fetch for every
 * caller, the expiry it renews ahead of, a refusal it repeats), and what a token-managing
 * credential's authenticate and preAuthentication hand to n8n (stored as storedToken.ts says).
 */
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { TokenRenewalNeeded } from './n8nInternals';
import { storedAccessToken, storedForm, storedSessionToken, tokenCacheKey, type SessionToken } from './storedToken';
import { CLOCK_SKEW_ALLOWANCE_MS } from './tokenExpiry';
import { isPassingFailure } from './tokenEndpoint';
import { UserError } from './userError';

/** An access token and, when the provider says, when it stops working (epoch ms). */
export interface IssuedToken {
	accessToken: string;
	expiresAt?: number;
}

/** Tokens are renewed this long before the provider says they expire... */
const EXPIRY_MARGIN_MS = 60_000;

/** ...or, for tokens that live less than ten minutes, this share of their lifetime. */
const EXPIRY_MARGIN_SHARE = 0.1;

function renewAfterOf({ accessToken, expiresAt }: IssuedToken): SessionToken {
	if (expiresAt === undefined) return { accessToken };
	const margin = Math.min(EXPIRY_MARGIN_MS, Math.max(0, expiresAt - Date.now()) * EXPIRY_MARGIN_SHARE);
	return { accessToken, renewAfter: expiresAt - margin };
}

/** Whether a token lives on after another: a token renewed later expires later. Known only when both expiries are. */
function expiresLater(token: SessionToken, than: SessionToken): boolean {
	return token.renewAfter !== undefined && than.renewAfter !== undefined && token.renewAfter > than.renewAfter;
}

function isFresh(token: SessionToken | undefined): token is SessionToken {
	return token !== undefined && (token.renewAfter === undefined || token.renewAfter > Date.now());
}

/**
 * What this n8n process knows of one credential's token, shared by every item, node and
 * execution: the newest token, and the fetch under way, if any.
 */
interface Session {
	token?: SessionToken;
	pending?: Promise<SessionToken>;
	/** The last refusal of the token endpoint, repeated without asking until `until` (epoch ms). */
	refusal?: { error: UserError; until: number };
}

/**
 * How long a process repeats a token endpoint's refusal for the same credential values instead
 * of asking again: n8n's HTTP Request node asks once per item, and identity providers lock an
 * account after a few refused attempts. Changed values are another session, asked at once.
 */
export const REFUSAL_MEMORY_MS = 30_000;

const sessions = new Map<string, Session>();

/** The token each credentials object (one per item, or one per node run) last sent. */
const sentTokens = new WeakMap<ICredentialDataDecryptedObject, string>();

/** Credentials objects whose token stays in this process, never handed to n8n to store (see keepTokenInProcess). */
const processOnly = new WeakSet<ICredentialDataDecryptedObject>();

/**
 * Keeps the tokens this credentials object fetches in this process: n8n is not handed them to
 * store. For a credential with a field set by an expression: n8n 1.x would write the resolved
 * value over the expression when it stores a token, and the token depends on each item's values.
 */
export function keepTokenInProcess(credentials: ICredentialDataDecryptedObject): void {
	processOnly.add(credentials);
}

/** Credentials objects whose request was held back for a renewal (see accessTokenToSend). */
const renewalClaims = new WeakSet<ICredentialDataDecryptedObject>();

function sessionOf(identity: unknown[]): Session {
	const key = tokenCacheKey(identity);
	let session = sessions.get(key);
	if (!session) {
		session = {};
		sessions.set(key, session);
	}
	return session;
}

/**
 * A token already dead when it arrives is refused, not sent: sending it would only earn an
 * API 401, and the renewal after it the same dead token again.
 */
function usableOnArrival(token: IssuedToken): IssuedToken {
	if (token.expiresAt !== undefined && token.expiresAt <= Date.now()) {
		throw new UserError(
			'The credential could not get an access token: the token endpoint issued one that had already expired',
			`Its lifetime (expires_in, or expires_at allowing ${CLOCK_SKEW_ALLOWANCE_MS / 60_000} minutes for clock differences) had ended when it arrived, so it was not sent. Check the token lifetime the provider is set to issue, and its clock.`,
		);
	}
	return token;
}

/**
 * Starts the one fetch of a session. A fetch that failed for a passing reason leaves nothing
 * behind, so the next caller tries again; a refusal is repeated for REFUSAL_MEMORY_MS.
 */
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

/**
 * The access tokens to hide from any error of an item with this credential data: the one in its
 * stored session token, and every token this process holds (another item may have renewed it).
 */
export function managedTokens(credentials: IDataObject): string[] {
	return [storedAccessToken(credentials), ...[...sessions.values()].map((session) => session.token?.accessToken)].filter(
		(token): token is string => token !== undefined,
	);
}

/**
 * The token a token-managing credential's authenticate puts on a request. n8n sends every
 * item's request at once; so every item waits for a fetch under way, and takes the newest
 * token this process has (another item may have renewed it without n8n's copy of the
 * credential knowing). With no usable token, the request is held back (TokenRenewalNeeded),
 * and the credential's preAuthentication fetches one.
 */
export async function accessTokenToSend(
	credentials: ICredentialDataDecryptedObject,
	identity: unknown[],
): Promise<string> {
	const session = sessionOf(identity);
	if (session.pending) await session.pending.catch(() => undefined);
	let token = isFresh(session.token) ? session.token : undefined;
	const stored = storedSessionToken(credentials, identity);
	if (isFresh(stored) && stored.accessToken !== session.token?.accessToken && (!token || expiresLater(stored, token))) {
		// Renewed by another n8n process (a queue-mode worker) and read from the database.
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
 * What a token-managing credential's preAuthentication returns. n8n calls it while its copy
 * of the token is empty, and after a request with the token failed; and it writes the
 * credential to its database each time the answer holds a session token. So:
 * - one fetch serves every caller (fetchToken runs only when this process has no fresh token
 *   other than the one the caller just had refused);
 * - the answer holds the token only for the caller that fetched it, or one whose request
 *   failed or was held back (n8n's HTTP Request node resends only then). Any other caller
 *   gets nothing, n8n writes nothing, and authenticate sends the process's token.
 *
 * @param identity the credential values that decide which token it gets
 */
export async function sessionToken(
	credentials: ICredentialDataDecryptedObject,
	identity: unknown[],
	fetchToken: () => Promise<IssuedToken>,
): Promise<ICredentialDataDecryptedObject> {
	const session = sessionOf(identity);
	const claimed = renewalClaims.delete(credentials);
	// What this caller's request carried: none when n8n calls before sending, with its copy empty.
	const held = sentTokens.get(credentials) ?? storedSessionToken(credentials, identity)?.accessToken;
	// A token kept in this process (keepTokenInProcess) is never handed back: authenticate sends it.
	const handBack = (token: SessionToken, toThisCaller: boolean) =>
		toThisCaller && !processOnly.has(credentials) ? storedForm(identity, token) : {};
	const hadToken = claimed || held !== undefined;
	if (session.pending) return handBack(await session.pending, hadToken);
	if (isFresh(session.token) && session.token.accessToken !== held) return handBack(session.token, hadToken);
	return handBack(await startFetch(session, fetchToken), true);
}
