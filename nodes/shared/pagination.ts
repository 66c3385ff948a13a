import type { IDataObject, IExecutePaginationFunctions, INodeProperties } from 'n8n-workflow';

import { UnexpectedAnswerError } from './httpErrors';
import type { ItemFetcher } from './operation';

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
	/** Whether the provider says this page is the last (beyond "fewer entries than asked"). */
	isLastPage(page: IDataObject): boolean;
}

/**
 * Fetches an operation's results page by page, emitting one item per entry, never one per
 * page. With Return All it walks every page; with a Limit it stops as soon as it has enough.
 * The page size stays the same from page to page (page N of size S starts after entry
 * (N-1)*S), so a Limit below the largest page size becomes the page size.
 */
export function pageNumberPagination(paging: PageNumberPagination): ItemFetcher {
	return async function (this: IExecutePaginationFunctions, requestData) {
		const returnAll = this.getNodeParameter('returnAll', false) as boolean;
		const limit = returnAll ? Infinity : (this.getNodeParameter('limit', 50) as number);
		const size = Math.min(paging.maxPageSize, limit);
		const entries: IDataObject[] = [];
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
				throw new UnexpectedAnswerError(
					'The answer is not a page of results',
					`Page ${page} is a JSON object without the list of entries the documentation describes. Check the base URL in the credential.`,
					200,
				);
			}
			entries.push(...pageEntries);
			if (pageEntries.length < size || paging.isLastPage(body)) break;
		}
		return entries.slice(0, limit).map((json) => ({ json }));
	};
}
