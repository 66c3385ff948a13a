import type { IDataObject } from 'n8n-workflow';

export type ResponseHeaders = Record<string, unknown>;

/** What nodes/shared needs to know about one API; each provider folder defines one. */
export interface ApiProvider {
	displayName: string;
	readErrorBody(body: IDataObject): { message?: string; code?: string; requestId?: string };
	/** In lower case. */
	requestIdHeader?: string;
	/** From a 429's headers, where the API does not use plain Retry-After. */
	retryAfterSeconds?(headers: ResponseHeaders): number | undefined;
	statusHints?: Partial<Record<number, string>>;
	/** Node parameters whose values never appear in an error. */
	secretParameters: string[];
}
