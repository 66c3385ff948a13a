import type { INodeProperties, INodePropertyRouting } from 'n8n-workflow';
import { z } from 'zod/v3';

import { confirmation, sendParameter, showForOperation } from '../shared/fields';
import { operationRouting } from '../shared/operation';
import { pageNumberPagination, returnAllOrLimitFields } from '../shared/pagination';
import { choice, optionalText, pathSegment, requiredText, text, wholeNumber } from '../shared/validation';
import { knetikCloud } from './provider';

const showFor = (operation: string, conditions?: Record<string, string[]>) =>
	showForOperation('token', operation, conditions);

/** Sends the parameter's value (as `valueOf` makes it) as a query parameter, unless empty. */
function queryWhenSet(query: string, parameter: string, valueOf: (value: unknown) => unknown = (value) => value): INodePropertyRouting {
	return sendParameter(parameter, (requestOptions, value) => {
		const sent = valueOf(value);
		return sent === '' || sent === undefined || sent === null ? requestOptions : { ...requestOptions, qs: { ...requestOptions.qs, [query]: sent } };
	});
}

/** Return All asks for pages of this size; Knetik documents no maximum (its default is 25). */
const LARGEST_PAGE = 100;

export const tokenOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['token'] } },
	options: [
		{
			name: 'Delete',
			value: 'delete',
			action: 'Delete stored tokens',
			description:
				'Delete the stored tokens of a username, of a client ID, or of the pair. Needs the TOKENS_ADMIN permission.',
			routing: operationRouting(knetikCloud, {
				request: { method: 'DELETE', url: '/auth/tokens' },
				success: { status: 204, body: 'empty' },
				input: z
					.object({ username: text('Username'), clientId: text('Client ID') })
					.refine(
						(values) => values.username.trim() !== '' || values.clientId.trim() !== '',
						'Username or Client ID is required: Knetik does not document deleting with neither',
					),
				output: {
					postReceive: [
						confirmation((context) => ({
							deleted: true,
							username: context.getNodeParameter('username', '') || null,
							client_id: context.getNodeParameter('clientId', '') || null,
						})),
					],
				},
			}),
		},
		{
			name: 'Get',
			value: 'get',
			action: 'Get the stored token of a user and client',
			description:
				'Get the stored token of one username and client ID pair. Needs the TOKENS_ADMIN permission.',
			routing: operationRouting(knetikCloud, {
				request: { method: 'GET' },
				path: '/auth/tokens/{username}/{clientId}',
				input: z.object({ username: pathSegment('Username'), clientId: pathSegment('Client ID') }),
			}),
		},
		{
			name: 'Get Many',
			value: 'getAll',
			action: 'Get many stored tokens',
			description:
				'List stored tokens (username and client ID pairs, without the token values), filtered and sorted. Needs the TOKENS_ADMIN permission.',
			routing: operationRouting(knetikCloud, {
				request: { method: 'GET', url: '/auth/tokens' },
				input: z.object({
					limit: wholeNumber('Limit', { min: 1 }).optional(),
					filters: z.object({
						clientId: optionalText('Client ID filter'),
						username: optionalText('Username filter'),
					}),
					sort: z.object({
						order: z
							.array(z.object({ property: requiredText('Sort property'), direction: choice('Direction', ['ASC', 'DESC']) }))
							.optional(),
					}),
				}),
				fetch: pageNumberPagination(knetikCloud, {
					pageParameter: 'page',
					sizeParameter: 'size',
					firstPage: 1,
					maxPageSize: LARGEST_PAGE,
					entriesOf: (page) => (Array.isArray(page.content) ? page.content : undefined),
					isLastPage: (page) => (typeof page.last === 'boolean' ? page.last : undefined),
					totalOf: (page) => (Number.isInteger(page.total_elements) ? (page.total_elements as number) : undefined),
					numberOf: (page) => (Number.isInteger(page.number) ? (page.number as number) : undefined),
				}),
			}),
		},
	],
	default: 'getAll',
};

export const tokenFields: INodeProperties[] = [
	// Get
	{
		displayName: 'Username',
		name: 'username',
		type: 'string',
		required: true,
		default: '',
		description: 'The user the token belongs to',
		displayOptions: showFor('get'),
	},
	{
		displayName: 'Client ID',
		name: 'clientId',
		type: 'string',
		required: true,
		default: '',
		description: 'The OAuth client the token was issued to',
		displayOptions: showFor('get'),
	},

	// Get Many
	...returnAllOrLimitFields({ resource: ['token'], operation: ['getAll'] }),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: showFor('getAll'),
		options: [
			{
				displayName: 'Client ID',
				name: 'clientId',
				type: 'string',
				default: '',
				description: 'Only tokens of the client whose ID matches this',
				routing: { send: { type: 'query', property: 'filter_client_id' } },
			},
			{
				displayName: 'Username',
				name: 'username',
				type: 'string',
				default: '',
				description: 'Only tokens of the user whose name matches this',
				routing: { send: { type: 'query', property: 'filter_username' } },
			},
		],
	},
	{
		displayName: 'Sort',
		name: 'sort',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Sort Rule',
		default: {},
		description: 'Sort rules in priority order: the first decides, the next breaks ties',
		displayOptions: showFor('getAll'),
		options: [
			{
				displayName: 'Rule',
				name: 'order',
				values: [
					{
						displayName: 'Property',
						name: 'property',
						type: 'string',
						default: '',
						placeholder: 'e.g. username',
						description: 'The property to sort by, as Knetik names it',
					},
					{
						displayName: 'Direction',
						name: 'direction',
						type: 'options',
						options: [
							{ name: 'Ascending', value: 'ASC' },
							{ name: 'Descending', value: 'DESC' },
						],
						default: 'ASC',
					},
				],
			},
		],
		// Knetik takes the rules as one parameter: PROPERTY:DIRECTION entries, comma-separated.
		routing: queryWhenSet('order', 'sort', (sort) =>
			((sort as { order?: Array<{ property: string; direction: string }> }).order ?? [])
				.map((rule) => `${rule.property}:${rule.direction}`)
				.join(','),
		),
	},

	// Delete
	{
		displayName: 'Username',
		name: 'username',
		type: 'string',
		default: '',
		description: 'Delete the tokens of this user. Username, Client ID or both are required.',
		displayOptions: showFor('delete'),
		routing: queryWhenSet('username', 'username'),
	},
	{
		displayName: 'Client ID',
		name: 'clientId',
		type: 'string',
		default: '',
		description: 'Delete the tokens issued to this client. Username, Client ID or both are required.',
		displayOptions: showFor('delete'),
		routing: queryWhenSet('client_id', 'clientId'),
	},
];
