import type { IDataObject } from 'n8n-workflow';

/** What a provider's error body says, in the provider's own words. */
export interface ProviderErrorDetails {
	message?: string;
	code?: string;
	requestId?: string;
}

export type ResponseHeaders = Record<string, unknown>;

/**
 * Everything the shared request code needs to know about one API. A provider folder defines
 * one of these; nodes and credentials hand it to nodes/shared.
 */
export interface ApiProvider {
	/** The name users know the service by, used at the start of every error message. */
	displayName: string;
	/** Reads the provider's own error body (each API has its own shape). */
	readErrorBody(body: IDataObject): ProviderErrorDetails;
	/** Response header that carries the request id, in lower case, where the API sends one. */
	requestIdHeader?: string;
	/** Seconds until a rate-limited caller may retry, from the provider's 429 headers. */
	retryAfterSeconds?(headers: ResponseHeaders): number | undefined;
	/** What to tell the user on a status, beyond the provider's own message. */
	statusHints?: Partial<Record<number, string>>;
	/** Node parameters that hold secrets; their values never appear in an error. */
	secretParameters: string[];
}
