import type { IDataObject, IExecutePaginationFunctions, INodeProperties } from 'n8n-workflow';

import { createHash } from 'crypto';

import { UserError } from './userError';
import type { ItemFetcher } from './operation';
import type { ApiProvider } from './provider';

/** The Return All / Limit pair n8n's own list operations show. */
export function returnAllOrLimitFields(show: Record<string, string[]>): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			displayOptions: { show },
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			description: 'Max number of results to return',
			displayOptions: { show: { ...show, returnAll: [false] } },
		},
	];
}

export interface PageNumberPagination {
	pageParameter: string;
	sizeParameter: string;
	firstPage: number;
	/** The largest page asked for; also the page size for Return All. */
	maxPageSize: number;
	/** The entries of one page; undefined when the page has no list of entries. */
	entriesOf(page: IDataObject): IDataObject[] | undefined;
	/** Whether the provider says this page is the last; undefined when it does not say. */
	isLastPage(page: IDataObject): boolean | undefined;
	/** How many entries the whole list holds, where the provider says. */
	totalOf(page: IDataObject): number | undefined;
	/** Which page the provider says this is, where it says; else a page is known by its entries. */
	numberOf(page: IDataObject): number | undefined;
}

/**
 * Fetches an operation's results page by page, emitting one item per entry, never one per
 * page. With Return All it walks every page; with a Limit it stops as soon as it has enough.
 * The API's own end markers decide where the list ends (its last-page flag, its total), not a
 * page shorter than asked (a server may cap the page size); without them, a short or empty page
 * does. A server that sends a page again, or more entries than its total, is an error, not a
 * list without end. The page size stays the same from page to page (page N of size S starts
 * after entry (N-1)*S), so a Limit below the largest page size becomes the page size.
 */
export function pageNumberPagination(provider: ApiProvider, paging: PageNumberPagination): ItemFetcher {
	return async function (this: IExecutePaginationFunctions, requestData) {
		const returnAll = this.getNodeParameter('returnAll', false) as boolean;
		const limit = returnAll ? Infinity : (this.getNodeParameter('limit', 50) as number);
		const size = Math.min(paging.maxPageSize, limit);
		const entries: IDataObject[] = [];
		const pagesSeen = new Set<string>();
		for (let page = paging.firstPage; entries.length < limit; page++) {
			const [response] = await this.makeRoutingRequest({
				...requestData,
				options: {
					...requestData.options,
					qs: { ...requestData.options.qs, [paging.pageParameter]: page, [paging.sizeParameter]: size },
				},
			});
			const body = (response?.json ?? {}) as IDataObject;
			const pageEntries = paging.entriesOf(body);
			// A page without its list is not an empty result: something else answered.
			if (!pageEntries) {
				throw new UserError(
					'The answer is not a page of results',
					`Page ${page} is a JSON object without the list of entries the documentation describes. Check the base URL in the credential.`,
					'200',
				);
			}
			const number = paging.numberOf(body);
			const fingerprint = number !== undefined ? `#${number}` : createHash('sha256').update(JSON.stringify(pageEntries)).digest('hex');
			if (pageEntries.length > 0 && pagesSeen.has(fingerprint)) {
				throw new UserError(
					`${provider.displayName} sent the same page twice`,
					`Asked for page ${page}, it sent one it had sent before, so the list would never end. ${entries.length} entries had come back. Set a Limit, or check the base URL in the credential.`,
					'200',
				);
			}
			pagesSeen.add(fingerprint);
			entries.push(...pageEntries);
			const total = paging.totalOf(body);
			if (total !== undefined && entries.length > total) {
				throw new UserError(
					`${provider.displayName} sent more entries than the ${total} it announced`,
					`After page ${page}, ${entries.length} entries had come back, and every page said the list holds ${total}. Set a Limit, or check the base URL in the credential.`,
					'200',
				);
			}
			const last = paging.isLastPage(body);
			if (last === true || pageEntries.length === 0 || (total !== undefined && entries.length === total)) break;
			if (last === undefined && total === undefined && pageEntries.length < size) break;
		}
		return entries.slice(0, limit).map((json) => ({ json }));
	};
}
