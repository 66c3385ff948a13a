import type { IDataObject } from 'n8n-workflow';

/*
 * Removing secrets from what a user sees (error messages, descriptions, items). A provider
 * that echoes a secret may send it back changed, so each secret is looked for:
 * - as sent, URL-encoded (percent or form encoding, either hex case) and JSON-escaped;
 * - with its whitespace changed (runs collapsed, added or dropped between characters), as
 *   n8n and this package fold whitespace when they shorten a message;
 * - inside any base64 run whose decoded text holds it (`Basic base64(key:secret)`, a
 *   base64-encoded body);
 * - cut off by a length limit: a text that ends with "…" (or "...") right after the first
 *   characters of a secret, or starts with one right before its last characters.
 */

export const REDACTED = '[redacted]';

/** Shorter values are left alone: they would match ordinary words. */
const MIN_SECRET_LENGTH = 4;

/**
 * A cut-off piece of a secret is hidden from this many characters. Only next to a cut mark
 * (or at the end of decoded base64, which has none): ordinary words are the ends of many secrets.
 */
const MIN_CUT_LENGTH = 4;

const CUT_MARK_AT_END = /(…|\.\.\.)\s*$/;
const CUT_MARK_AT_START = /^\s*(…|\.\.\.)/;

/** A text's end is searched this far back for a cut-off secret (messages are cut at 300 characters). */
const CUT_WINDOW = 400;

function withoutWhitespace(text: string): string {
	return text.replace(/\s+/g, '');
}

/** The forms in which a secret may come back, each without whitespace. */
function formsOf(secret: string): string[] {
	const percent = [encodeURIComponent(secret), encodeURI(secret), new URLSearchParams({ s: secret }).toString().slice(2)];
	const forms = [
		secret,
		...percent,
		...percent.map((form) => form.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase())),
		JSON.stringify(secret).slice(1, -1),
	];
	return [...new Set(forms.map(withoutWhitespace))].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

/**
 * What redaction looks for: the forms of every secret, longest first. Matched with indexOf on
 * the text without its whitespace, never with a pattern built from a secret: that costs time
 * in proportion to the text, and a 100 KB secret cannot make it fail.
 */
interface SecretMatcher {
	forms: string[];
	/** First and last characters of the forms: where a cut-off piece can start or end. */
	firstChars: Set<string>;
	lastChars: Set<string>;
}

function matcherFor(secrets: string[]): SecretMatcher {
	const forms = [...new Set(secrets.filter((secret) => typeof secret === 'string').flatMap(formsOf))].sort(
		(a, b) => b.length - a.length,
	);
	return {
		forms,
		firstChars: new Set(forms.map((form) => form[0])),
		lastChars: new Set(forms.map((form) => form[form.length - 1])),
	};
}

/** Where in `text` each form occurs, whitespace between its characters allowed: [start, end) ranges, merged. */
function occurrences(text: string, forms: string[]): Array<[number, number]> {
	const positions: number[] = [];
	let stripped = '';
	for (let i = 0; i < text.length; i++) {
		if (/\s/.test(text[i])) continue;
		positions.push(i);
		stripped += text[i];
	}
	const found: Array<[number, number]> = [];
	for (const form of forms) {
		for (let at = stripped.indexOf(form); at !== -1; at = stripped.indexOf(form, at + form.length)) {
			found.push([positions[at], positions[at + form.length - 1] + 1]);
		}
	}
	found.sort((a, b) => a[0] - b[0]);
	const merged: Array<[number, number]> = [];
	for (const range of found) {
		const last = merged[merged.length - 1];
		if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
		else merged.push(range);
	}
	return merged;
}

function replaceOccurrences(text: string, forms: string[]): string {
	let result = '';
	let from = 0;
	for (const [start, end] of occurrences(text, forms)) {
		result += `${text.slice(from, start)}${REDACTED}`;
		from = end;
	}
	return result + text.slice(from);
}

/** Whether a text holds a secret, whole or cut off at its end. */
function holdsSecret(text: string, matcher: SecretMatcher): boolean {
	if (matcher.forms.length === 0) return false;
	if (occurrences(text, matcher.forms).length > 0) return true;
	return cutAtEnd(text, matcher, text.replace(/\s+$/, '').length) !== undefined;
}

/**
 * Where the text before `end` finishes with the first characters of a secret (a cut-off
 * copy), the index that piece starts at; undefined when it does not.
 */
function cutAtEnd(text: string, { forms, firstChars }: SecretMatcher, end: number): number | undefined {
	for (let start = Math.max(0, end - CUT_WINDOW); start <= end - MIN_CUT_LENGTH; start++) {
		if (!firstChars.has(text[start])) continue;
		const piece = withoutWhitespace(text.slice(start, end));
		if (piece.length >= MIN_CUT_LENGTH && forms.some((form) => form.startsWith(piece))) return start;
	}
	return undefined;
}

/** Where a text starts with the last characters of a secret, the index that piece ends at. */
function cutAtStart(text: string, { forms, lastChars }: SecretMatcher, start: number): number | undefined {
	for (let end = Math.min(text.length, start + CUT_WINDOW); end >= start + MIN_CUT_LENGTH; end--) {
		if (!lastChars.has(text[end - 1])) continue;
		const piece = withoutWhitespace(text.slice(start, end));
		if (piece.length >= MIN_CUT_LENGTH && forms.some((form) => form.endsWith(piece))) return end;
	}
	return undefined;
}

/** Runs of base64 (standard or URL-safe) long enough to carry a secret. */
const BASE64_RUN = /[A-Za-z0-9+/_-]{6,}={0,2}/g;

function redactBase64(text: string, matcher: SecretMatcher): string {
	return text.replace(BASE64_RUN, (run) => {
		const bytes = Buffer.from(run, 'base64');
		const decoded = [bytes.toString('utf8'), bytes.toString('latin1')];
		return decoded.some((plain) => holdsSecret(plain, matcher)) ? REDACTED : run;
	});
}

function redactWith(text: string, matcher: SecretMatcher): string {
	if (matcher.forms.length === 0) return text;
	let redacted = replaceOccurrences(text, matcher.forms);
	redacted = redactBase64(redacted, matcher);
	const markAtEnd = CUT_MARK_AT_END.exec(redacted);
	if (markAtEnd) {
		const cutEnd = cutAtEnd(redacted, matcher, markAtEnd.index);
		if (cutEnd !== undefined) redacted = `${redacted.slice(0, cutEnd)}${REDACTED}${markAtEnd[0]}`;
	}
	const markAtStart = CUT_MARK_AT_START.exec(redacted);
	if (markAtStart) {
		const cutStart = cutAtStart(redacted, matcher, markAtStart[0].length);
		if (cutStart !== undefined) redacted = `${markAtStart[0]}${REDACTED}${redacted.slice(cutStart)}`;
	}
	return redacted;
}

/** Replaces every form of each secret (see the top of this file) with a marker. */
export function redactSecrets(text: string, secrets: string[]): string {
	return redactWith(text, matcherFor(secrets));
}

/** A copy of a value (an error body, parameters) with every string redacted. */
export function redactDeep<T>(value: T, secrets: string[]): T {
	const matcher = matcherFor(secrets);
	const walk = (current: unknown): unknown => {
		if (typeof current === 'string') return redactWith(current, matcher);
		if (Array.isArray(current)) return current.map(walk);
		if (typeof current === 'object' && current !== null) {
			return Object.fromEntries(Object.entries(current).map(([key, inner]) => [key, walk(inner)]));
		}
		return current;
	};
	return walk(value) as T;
}

/**
 * Fields that hold secrets, by the names this package, n8n's OAuth2 and the token endpoints
 * use: for data whose field definitions are not at hand (a token request's body, nested token
 * data). A field naming a kind (`token_type`: "bearer") is not one.
 */
const SECRET_FIELD = /secret|password|token|assertion|otp|key/i;
const KIND_FIELD = /type$/i;

/** The values of secret-named fields, one level of nesting deep. */
export function secretValuesByName(data: IDataObject | undefined, depth = 0): string[] {
	if (!data || depth > 1) return [];
	return Object.entries(data).flatMap(([key, value]) => {
		if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
			return secretValuesByName(value as IDataObject, depth + 1);
		}
		return SECRET_FIELD.test(key) && !KIND_FIELD.test(key) && typeof value === 'string' ? [value] : [];
	});
}
