import type { INodeProperties } from 'n8n-workflow';
import { z } from 'zod/v3';

import { sendParameter } from '../shared/fields';
import { operationRouting } from '../shared/operation';
import { address, requiredText, wholeNumber } from '../shared/validation';
import { confluentCloud } from './provider';

const showForOAuthToken = { resource: ['oauthToken'] };

/** The one value each of these RFC 8693 fields may take (api-reference/confluent-sts.md). */
export const TOKEN_EXCHANGE_CONSTANTS = {
	grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
	subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
	requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
};

/** Confluent caps the lifetime of an exchanged token at 900 seconds, which is also the default. */
export const MAX_TOKEN_LIFETIME_SECONDS = 900;

export const oauthTokenOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: showForOAuthToken },
	options: [
		{
			name: 'Exchange',
			value: 'exchange',
			action: 'Exchange an identity provider token',
			description:
				'Exchange a JWT from your own identity provider for a short-lived Confluent Cloud access token, through an identity pool. Needs no credential.',
			routing: operationRouting(confluentCloud, {
				request: {
					method: 'POST',
					url: '/sts/v1/oauth2/token',
					headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
					body: TOKEN_EXCHANGE_CONSTANTS,
				},
				tokenLifetime: 'expires_in',
				input: z.object({
					subjectToken: requiredText('Subject Token'),
					identityPoolId: requiredText('Identity Pool ID'),
					expiresIn: wholeNumber('Token Lifetime (Seconds)', { min: 1, max: MAX_TOKEN_LIFETIME_SECONDS }),
					baseUrl: address('Base URL'),
				}),
			}),
		},
	],
	default: 'exchange',
};

export const oauthTokenFields: INodeProperties[] = [
	{
		displayName: 'Subject Token',
		name: 'subjectToken',
		type: 'string',
		typeOptions: { password: true },
		required: true,
		default: '',
		description: 'The JWT access token your identity provider issued',
		displayOptions: { show: showForOAuthToken },
		routing: { send: { type: 'body', property: 'subject_token' } },
	},
	{
		displayName: 'Identity Pool ID',
		name: 'identityPoolId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. pool-AbCd',
		description:
			'The Confluent Cloud identity pool whose policy maps the identity in the JWT to permissions',
		displayOptions: { show: showForOAuthToken },
		routing: { send: { type: 'body', property: 'identity_pool_id' } },
	},
	{
		displayName: 'Token Lifetime (Seconds)',
		name: 'expiresIn',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: MAX_TOKEN_LIFETIME_SECONDS },
		default: MAX_TOKEN_LIFETIME_SECONDS,
		description: 'Lifetime of the Confluent token; Confluent allows at most 900 seconds',
		displayOptions: { show: showForOAuthToken },
		routing: { send: { type: 'body', property: 'expires_in' } },
	},
	{
		displayName: 'Base URL',
		name: 'baseUrl',
		type: 'string',
		default: 'https://api.confluent.cloud',
		description:
			'The Confluent Cloud API address. This operation takes no credential, so the address is set here.',
		displayOptions: { show: showForOAuthToken },
		routing: sendParameter('baseUrl', (requestOptions, value) => ({
			...requestOptions,
			baseURL: String(value).trim().replace(/\/+$/, ''),
		})),
	},
];
