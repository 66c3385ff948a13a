import type { IDataObject, IExecutePaginationFunctions, INodeProperties } from 'n8n-workflow';

import { UserError } from './userError';
import type { ItemFetcher } from './operation';
import type { ApiProvider } from './provider';
import { hashOf } from './storedToken';

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
	maxPageSize: number;
	// Each undefined where the provider does not say.
	entriesOf(page: IDataObject): IDataObject[] | undefined;
	isLastPage(page: IDataObject): boolean | undefined;
	totalOf(page: IDataObject): number | undefined;
	numberOf(page: IDataObject): number | undefined;
}

/**
 * One item per entry. The API's end markers end the list, not a short page (a server may cap the
 * size); the page size must stay constant (page N starts at (N-1)*S), so a small Limit becomes it.
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
			if (!pageEntries) {
				throw new UserError(
					'The answer is not a page of results',
					`Page ${page} is a JSON object without the list of entries the documentation describes. Check the base URL in the credential.`,
					'200',
				);
			}
			const number = paging.numberOf(body);
			const fingerprint = number !== undefined ? `#${number}` : hashOf(pageEntries);
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
