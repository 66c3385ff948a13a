import type { IDataObject } from 'n8n-workflow';

/*
 * An echoed secret may come back changed, so each is looked for: URL-encoded or JSON-escaped,
 * with whitespace changed (messages get folded), inside base64, or cut off next to "…" or "...".
 */

export const REDACTED = '[redacted]';

/** Shorter values are left alone: they would match ordinary words. */
const MIN_SECRET_LENGTH = 4;

/** Only next to a cut mark (or at the end of decoded base64): ordinary words end many secrets. */
const MIN_CUT_LENGTH = 4;

const CUT_MARK_AT_END = /(…|\.\.\.)\s*$/;
const CUT_MARK_AT_START = /^\s*(…|\.\.\.)/;

/** Messages are cut at 300 characters. */
const CUT_WINDOW = 400;

function withoutWhitespace(text: string): string {
	return text.replace(/\s+/g, '');
}

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

/** Longest first; matched with indexOf, never a pattern built from a secret, so a huge secret cannot break it. */
interface SecretMatcher {
	forms: string[];
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

/** Merged [start, end) ranges, whitespace between characters allowed. */
function occurrences(text: string, forms: string[]): Array<[number, number]> {
	// The mapping below costs per character; most texts hold no secret, and a body can be megabytes.
	const bare = withoutWhitespace(text);
	if (!forms.some((form) => bare.includes(form))) return [];
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
	if (occurrences(text, matcher.forms).length > 0) return true;
	return cutAtEnd(text, matcher, text.replace(/\s+$/, '').length) !== undefined;
}

/** Where the text before `end` finishes with a secret's first characters, where that piece starts. */
function cutAtEnd(text: string, { forms, firstChars }: SecretMatcher, end: number): number | undefined {
	for (let start = Math.max(0, end - CUT_WINDOW); start <= end - MIN_CUT_LENGTH; start++) {
		if (!firstChars.has(text[start])) continue;
		const piece = withoutWhitespace(text.slice(start, end));
		if (piece.length >= MIN_CUT_LENGTH && forms.some((form) => form.startsWith(piece))) return start;
	}
	return undefined;
}

/** Where the text from `start` begins with a secret's last characters, where that piece ends. */
function cutAtStart(text: string, { forms, lastChars }: SecretMatcher, start: number): number | undefined {
	for (let end = Math.min(text.length, start + CUT_WINDOW); end >= start + MIN_CUT_LENGTH; end--) {
		if (!lastChars.has(text[end - 1])) continue;
		const piece = withoutWhitespace(text.slice(start, end));
		if (piece.length >= MIN_CUT_LENGTH && forms.some((form) => form.endsWith(piece))) return end;
	}
	return undefined;
}

/** `+`, not `{6,}`: V8 runs out of stack on a bounded repeat over a run of millions. */
const BASE64_RUN = /[A-Za-z0-9+/_-]+={0,2}/g;

function redactBase64(text: string, matcher: SecretMatcher): string {
	return text.replace(BASE64_RUN, (run) => {
		if (run.length < 6) return run;
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

export function redactSecrets(text: string, secrets: string[]): string {
	return redactWith(text, matcherFor(secrets));
}

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

/** For data without field definitions (a token request's body); `token_type` names a kind, not a secret. */
const SECRET_FIELD = /secret|password|token|assertion|otp|key/i;
const KIND_FIELD = /type$/i;

export function secretValuesByName(data: IDataObject | undefined, depth = 0): string[] {
	if (!data || depth > 1) return [];
	return Object.entries(data).flatMap(([key, value]) => {
		if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
			return secretValuesByName(value as IDataObject, depth + 1);
		}
		return SECRET_FIELD.test(key) && !KIND_FIELD.test(key) && typeof value === 'string' ? [value] : [];
	});
}
