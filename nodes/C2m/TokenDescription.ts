import type { IExecuteSingleFunctions, IN8nHttpFullResponse, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { z } from 'zod/v3';

import { bodyFromCredential, confirmation, showForOperation } from '../shared/fields';
import { operationRouting } from '../shared/operation';
import { choice, pathSegment, requiredText, textList, wholeNumber } from '../shared/validation';
import { c2m } from './provider';

const showFor = (operation: string, conditions?: Record<string, string[]>) =>
	showForOperation('token', operation, conditions);

/** Long-term token lifetimes C2M accepts: one hour to 90 days (LongTokenRequest.ttl_seconds). */
const TTL = { min: 3600, max: 7_776_000 };

/** C2M may send the new token's ID only in its `X-Token-Id` header. */
async function tokenIdFromHeader(this: IExecuteSingleFunctions, items: INodeExecutionData[], response: IN8nHttpFullResponse) {
	const id = response.headers['x-token-id'];
	if (typeof id !== 'string' || id === '') return items;
	return items.map((item) => (item.json.token_id ?? null) === null ? { ...item, json: { ...item.json, token_id: id } } : item);
}

const scopesRule = z.object({ scopes: textList('Scopes').optional() });

/** What Issue Long-Term needs depends on the grant, the proof and the credential. */
function longTermRules(context: IExecuteSingleFunctions) {
	const grantType = context.getNodeParameter('grantType') as string;
	const authentication = context.getNodeParameter('authentication') as string;
	const proof = grantType === 'client_credentials' && authentication === 'clientKey'
		? (context.getNodeParameter('proof') as string)
		: undefined;
	return z.object({
		grantType: choice('Grant Type', ['client_credentials', 'assertion']),
		clientId: authentication === 'shortTermToken' ? requiredText('Client ID') : z.undefined(),
		otpCode: proof === 'otpCode' ? requiredText('One-Time Code') : z.undefined(),
		assertionType: grantType === 'assertion' ? requiredText('Assertion Type') : z.undefined(),
		assertion: grantType === 'assertion' ? requiredText('Assertion') : z.undefined(),
		additionalFields: scopesRule.extend({
			ttlSeconds: wholeNumber('Token Lifetime (Seconds)', TTL).optional(),
		}),
	});
}

const authenticationOption = {
	clientKey: {
		name: 'Client Key',
		value: 'clientKey',
		description: 'Client ID and secret; the ID travels in a request header',
		// The client ID in the body is the credential's own.
		routing: bodyFromCredential('c2mClientKeyApi', { client_id: 'clientId' }),
	},
	longTermToken: {
		name: 'Long-Term Token',
		value: 'longTermToken',
		description: 'A long-term token, sent as a Bearer token',
	},
	shortTermToken: {
		name: 'Automatic Short-Term Token',
		value: 'shortTermToken',
		description: 'A long-term token the credential trades for short-term tokens by itself',
	},
};

const OPERATIONS = ['issueLongTerm', 'issueShortTerm', 'revoke'];

/**
 * Shows a field for one operation with `hide` on the others, not `show` on this one: n8n's
 * editor hides every field named in the `show` rules of a field that picks the credential
 * (nodeTypesUtils.isAuthRelatedParameter), which would hide the Operation selector itself.
 */
const onlyFor = (operation: string) => ({
	hide: { operation: OPERATIONS.filter((other) => other !== operation) },
});

/** Each operation's Authentication field lists the credentials the spec's security section allows for it. */
const authentication = {
	issueLongTerm: {
		displayName: 'Authentication',
		name: 'authentication',
		type: 'options',
		options: [authenticationOption.clientKey, authenticationOption.shortTermToken],
		default: 'clientKey',
		description: 'C2M accepts a client key, or a short-term token with the tokens:write scope',
		displayOptions: onlyFor('issueLongTerm'),
	},
	issueShortTerm: {
		displayName: 'Authentication',
		name: 'authentication',
		type: 'options',
		options: [authenticationOption.longTermToken],
		default: 'longTermToken',
		description: 'C2M issues short-term tokens only for a long-term token',
		displayOptions: onlyFor('issueShortTerm'),
	},
	revoke: {
		displayName: 'Authentication',
		name: 'authentication',
		type: 'options',
		options: [authenticationOption.longTermToken, authenticationOption.shortTermToken],
		default: 'longTermToken',
		description: 'C2M accepts a long-term or a short-term token with the tokens:revoke scope',
		displayOptions: onlyFor('revoke'),
	},
} satisfies Record<string, INodeProperties>;

export const authenticationFields: INodeProperties[] = Object.values(authentication);

export const tokenOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['token'] } },
	options: [
		{
			name: 'Issue Long-Term Token',
			value: 'issueLongTerm',
			action: 'Issue a long term token',
			description:
				'Issue (or rotate) a long-lived token for server-to-server use, proven by the client secret, a one-time code, a signed assertion, or a short-term token with tokens:write. Returns the token, its expiry, scopes and token ID.',
			routing: operationRouting(c2m, {
				request: { method: 'POST', url: '/auth/tokens/long' },
				tokenLifetime: 'expires_in',
				authentication: authentication.issueLongTerm,
				input: longTermRules,
				success: { status: 201, body: 'json object' },
				output: { postReceive: [tokenIdFromHeader] },
			}),
		},
		{
			name: 'Issue Short-Term Token',
			value: 'issueShortTerm',
			action: 'Issue a short term token',
			description:
				'Trade the long-term token of the credential for a short-lived access token (about 15 minutes), optionally with narrower scopes',
			routing: operationRouting(c2m, {
				request: { method: 'POST', url: '/auth/tokens/short' },
				tokenLifetime: 'expires_in',
				authentication: authentication.issueShortTerm,
				input: z.object({ additionalFields: scopesRule }),
				success: { status: 201, body: 'json object' },
			}),
		},
		{
			name: 'Revoke',
			value: 'revoke',
			action: 'Revoke a token',
			description:
				'Revoke a long-term or short-term token by its token ID. Revoking a token that is already revoked succeeds again.',
			routing: operationRouting(c2m, {
				request: { method: 'POST' },
				path: '/auth/tokens/{id}/revoke',
				authentication: authentication.revoke,
				input: z.object({ id: pathSegment('Token ID') }),
				success: { status: 204, body: 'empty' },
				output: {
					postReceive: [confirmation((context) => ({ revoked: true, token_id: context.getNodeParameter('id') }))],
				},
			}),
		},
	],
	default: 'issueLongTerm',
};

const scopesField: INodeProperties = {
	displayName: 'Scopes',
	name: 'scopes',
	type: 'string',
	typeOptions: { multipleValues: true, multipleValueButtonText: 'Add Scope' },
	default: [],
	placeholder: 'e.g. jobs:submit',
	routing: { send: { type: 'body', property: 'scopes' } },
};

export const tokenFields: INodeProperties[] = [
	// Issue Long-Term
	{
		displayName: 'Grant Type',
		name: 'grantType',
		type: 'options',
		options: [
			{
				name: 'Client Credentials',
				value: 'client_credentials',
				description: 'The client proves itself with its secret or a one-time code',
			},
			{ name: 'Assertion', value: 'assertion', description: 'A signed JWT or other assertion proves the client' },
		],
		default: 'client_credentials',
		description: 'How the client proves who it is',
		displayOptions: showFor('issueLongTerm'),
		routing: { send: { type: 'body', property: 'grant_type' } },
	},
	{
		displayName: 'Client ID',
		name: 'clientId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. c2m_abc123',
		description: 'The client the long-term token is for',
		displayOptions: showFor('issueLongTerm', { authentication: ['shortTermToken'] }),
		routing: { send: { type: 'body', property: 'client_id' } },
	},
	{
		displayName: 'Proof',
		name: 'proof',
		type: 'options',
		description: 'What proves the client: the secret stored in the credential, or a one-time code',
		options: [
			{
				name: 'Client Secret (From the Credential)',
				value: 'clientSecret',
				routing: bodyFromCredential('c2mClientKeyApi', { client_secret: 'clientSecret' }),
			},
			{ name: 'One-Time Code', value: 'otpCode', description: 'When your policy requires a one-time code' },
		],
		default: 'clientSecret',
		displayOptions: showFor('issueLongTerm', { authentication: ['clientKey'], grantType: ['client_credentials'] }),
	},
	{
		displayName: 'One-Time Code',
		name: 'otpCode',
		type: 'string',
		typeOptions: { password: true },
		required: true,
		default: '',
		description: 'The one-time code (OTP) that proves the client when your C2M policy requires one',
		displayOptions: showFor('issueLongTerm', {
			authentication: ['clientKey'],
			grantType: ['client_credentials'],
			proof: ['otpCode'],
		}),
		routing: { send: { type: 'body', property: 'otp_code' } },
	},
	{
		displayName: 'Assertion Type',
		name: 'assertionType',
		type: 'string',
		required: true,
		default: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
		description: 'The type of the assertion; the default is a signed JWT',
		displayOptions: showFor('issueLongTerm', { grantType: ['assertion'] }),
		routing: { send: { type: 'body', property: 'assertion_type' } },
	},
	{
		displayName: 'Assertion',
		name: 'assertion',
		type: 'string',
		typeOptions: { password: true },
		required: true,
		default: '',
		description: 'The signed JWT (or other assertion) that proves the client',
		displayOptions: showFor('issueLongTerm', { grantType: ['assertion'] }),
		routing: { send: { type: 'body', property: 'assertion' } },
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: showFor('issueLongTerm'),
		options: [
			{ ...scopesField, description: 'Scopes of the new token, such as jobs:submit or templates:read' },
			{
				displayName: 'Token Lifetime (Seconds)',
				name: 'ttlSeconds',
				type: 'number',
				typeOptions: { minValue: TTL.min, maxValue: TTL.max },
				default: 2_592_000,
				description: 'Lifetime of the token, from 3600 (one hour) to 7776000 (90 days); C2M may shorten it',
				routing: { send: { type: 'body', property: 'ttl_seconds' } },
			},
		],
	},

	// Issue Short-Term
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: showFor('issueShortTerm'),
		options: [{ ...scopesField, description: 'Narrower scopes; by default the long-term token’s own' }],
	},

	// Revoke
	{
		// Named "id": n8n's lint takes any parameter named like "token" for a secret.
		displayName: 'Token ID',
		name: 'id',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. tok_lt_b8e0aa',
		description: 'The token_id an Issue operation returned',
		displayOptions: showFor('revoke'),
	},
];
