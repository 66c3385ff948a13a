import type { IExecuteSingleFunctions, INodeProperties } from 'n8n-workflow';
import { z } from 'zod/v3';

import { bodyFromCredential, sendParameter, showForOperation } from '../shared/fields';
import { itemCredentialData } from '../shared/nodeCredential';
import { operationRouting } from '../shared/operation';
import { nothingSent } from '../shared/parameters';
import { headerValue, requiredText } from '../shared/validation';
import { runAi, runAiLegacy } from './provider';

const showFor = (operation: string, conditions?: Record<string, string[]>) =>
	showForOperation('token', operation, conditions);
const showForGrants = (...grantTypes: string[]) => showFor('create', { grantType: grantTypes });

/**
 * What each grant type sends besides `grantType` (runai-latest.openapi.yaml, request
 * examples), with the maximum lengths Run:ai's v3.0 documentation gives (runai.md).
 */
const grantRules: Record<string, z.ZodObject<z.ZodRawShape>> = {
	client_credentials: z.object({}),
	client_credentials_in_node: z.object({
		clientId: requiredText('Client ID', { max: 255 }),
		clientSecret: requiredText('Client Secret', { max: 500 }),
	}),
	refresh_token: z.object({
		refreshToken: requiredText('Refresh Token', { max: 4096 }),
		clientId: requiredText('Client ID', { max: 255 }),
	}),
	exchange_token: z.object({
		code: requiredText('Authorization Code', { max: 2048 }),
		clientId: requiredText('Client ID', { max: 255 }),
		redirectUri: requiredText('Redirect URI', { max: 2048 }),
	}),
	password: z.object({
		username: requiredText('Username', { max: 255 }),
		password: requiredText('Password', { max: 255 }),
	}),
	external_token_exchange: z.object({ externalToken: requiredText('External Token', { max: 4096 }) }),
	app_token: z.object({}),
	app_token_in_node: z.object({ appId: requiredText('Application ID'), appSecret: requiredText('Application Secret') }),
};

const createOptionsRules = z.object({
	options: z.object({ userAgent: headerValue('User-Agent').optional() }),
});

/** Grants whose secret the Run:ai credential can hold: taken from it unless the user chooses to type it into the node. */
const FROM_CREDENTIAL = {
	client_credentials: {
		parameter: 'clientCredentialsFrom',
		label: 'Client ID and Secret',
		what: 'client ID and secret',
		authentication: 'clientCredentials',
		authenticationName: 'Client Credentials',
		fields: { clientID: 'clientId', clientSecret: 'clientSecret' },
	},
	app_token: {
		parameter: 'applicationFrom',
		label: 'Application ID and Secret',
		what: 'application ID and secret',
		authentication: 'application',
		authenticationName: 'Application',
		fields: { appID: 'appId', appSecret: 'appSecret' },
	},
};
type GrantFromCredential = keyof typeof FROM_CREDENTIAL;

const typedInNode = (context: IExecuteSingleFunctions, grant: GrantFromCredential) =>
	context.getNodeParameter(FROM_CREDENTIAL[grant].parameter, 'credential') === 'node';

/** The grant whose rules apply: a grant's secret is the node's to check only where it is typed into the node. */
function grantOf(context: IExecuteSingleFunctions): string {
	const grant = context.getNodeParameter('grantType') as string;
	return grant in FROM_CREDENTIAL && typedInNode(context, grant as GrantFromCredential) ? `${grant}_in_node` : grant;
}

/** With the secret from the credential, the credential must hold it. */
async function assertCredentialHoldsSecret(context: IExecuteSingleFunctions): Promise<void> {
	const grant = grantOf(context);
	if (!(grant in FROM_CREDENTIAL)) return;
	const { label, what, authentication, authenticationName, fields } = FROM_CREDENTIAL[grant as GrantFromCredential];
	const credential = await itemCredentialData(context, 'runAiApi');
	if (credential.authentication === authentication && Object.values(fields).every((field) => credential[field])) return;
	throw nothingSent(
		context,
		`The Run:ai credential holds no ${what}`,
		`${label} is set to From the Credential, and the selected Run:ai credential does not use ${authenticationName}. Select a credential with Authentication: ${authenticationName}, or set ${label} to Entered in This Node.`,
	);
}

/** The choice between the credential's secret and one typed into the node, for one grant. */
function secretFromField(grant: GrantFromCredential): INodeProperties {
	const { parameter, label, what, authenticationName, fields } = FROM_CREDENTIAL[grant];
	return {
		displayName: label,
		name: parameter,
		type: 'options',
		options: [
			{
				name: 'From the Credential',
				value: 'credential',
				description: `The ${what} of the Run:ai credential selected above (Authentication: ${authenticationName})`,
			},
			{
				name: 'Entered in This Node',
				value: 'node',
				description: 'Typed into this node: the secret is saved in the workflow and exported with it',
			},
		],
		default: 'credential',
		displayOptions: showForGrants(grant),
		routing: bodyFromCredential('runAiApi', fields, (context) => !typedInNode(context, grant)),
	};
}

const showTypedInNode = (grant: GrantFromCredential) =>
	showFor('create', { grantType: [grant], [FROM_CREDENTIAL[grant].parameter]: ['node'] });

export const tokenOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['token'] } },
	options: [
		{
			name: 'Create',
			value: 'create',
			action: 'Create an access token',
			description:
				'Get a Run:ai access token with the grant type you choose (client credentials, refresh token, authorization code, password, external token, or the legacy app token)',
			routing: operationRouting(runAi, {
				request: { method: 'POST', url: '/api/v1/token' },
				tokenLifetime: 'expiresIn',
				input: (context) =>
					(grantRules[grantOf(context)] ?? z.object({})).merge(createOptionsRules),
				check: assertCredentialHoldsSecret,
			}),
		},
		{
			name: 'Exchange Code (Legacy)',
			value: 'exchangeCode',
			action: 'Exchange an authorization code with the legacy endpoint',
			description:
				'Exchanges an authorization code through the legacy endpoint, removed in Run:ai 2.20. On 2.20 and later use Create with the Authorization Code (Exchange Token) grant.',
			routing: operationRouting(runAiLegacy, {
				request: { method: 'GET', url: '/v1/k8s/auth/token/exchange' },
				tokenLifetime: 'expiresIn',
				input: z.object({
					redirectUri: requiredText('Redirect URI'),
					code: requiredText('Authorization Code'),
				}),
			}),
		},
		{
			name: 'Get App Token (Legacy)',
			value: 'getAppToken',
			action: 'Get an application token with the legacy endpoint',
			description:
				'Gets an application token through the legacy endpoint, deprecated since Run:ai 2.18 and missing from the 3.0 documentation. Use Create with the Client Credentials grant (2.20 and later) or the App Token grant instead.',
			routing: operationRouting(runAiLegacy, {
				request: { method: 'POST', url: '/v1/k8s/auth/oauth/apptoken' },
				tokenLifetime: 'expiresIn',
				input: z.object({
					applicationId: requiredText('Application ID'),
					applicationName: requiredText('Application Name'),
					applicationSecret: requiredText('Application Secret'),
				}),
			}),
		},
		{
			name: 'Refresh (Legacy)',
			value: 'refresh',
			action: 'Refresh an access token with the legacy endpoint',
			description:
				'Refreshes an access token through the legacy endpoint, removed in Run:ai 2.20. On 2.20 and later use Create with the Refresh Token grant.',
			routing: operationRouting(runAiLegacy, {
				request: { method: 'POST', url: '/v1/k8s/auth/oauth/tokens/refresh' },
				tokenLifetime: 'expiresIn',
				input: z.object({ refreshToken: requiredText('Refresh Token') }),
			}),
		},
	],
	default: 'create',
};

const sendInBody = (property: string) => ({ send: { type: 'body' as const, property } });
const sendInQuery = (property: string) => ({ send: { type: 'query' as const, property } });

const clientIdField: INodeProperties = {
	displayName: 'Client ID',
	name: 'clientId',
	type: 'string',
	required: true,
	default: '',
	description:
		'The client ID of the application or service account that gets the token, or that the code or refresh token was issued to',
};

// Fields that Create and a legacy operation both take; each operation sends them its own way.
const refreshTokenField: INodeProperties = {
	displayName: 'Refresh Token',
	name: 'refreshToken',
	type: 'string',
	typeOptions: { password: true },
	required: true,
	default: '',
	description: 'The refresh token an earlier token request returned',
};
const authorizationCodeField: INodeProperties = {
	displayName: 'Authorization Code',
	name: 'code',
	type: 'string',
	typeOptions: { password: true },
	required: true,
	default: '',
	description: 'The code the identity provider returned to the redirect URI',
};
const redirectUriField: INodeProperties = {
	displayName: 'Redirect URI',
	name: 'redirectUri',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. https://n8n.example.com/callback',
	description: 'The redirect URI used when the code was requested',
};

export const tokenFields: INodeProperties[] = [
	// Create
	{
		displayName: 'Grant Type',
		name: 'grantType',
		type: 'options',
		options: [
			{
				name: 'App Token (Legacy)',
				value: 'app_token',
				description: 'Application ID and secret; for control planes before Run:ai 2.20',
			},
			{
				name: 'Authorization Code (Exchange Token)',
				value: 'exchange_token',
				description: 'Trade an authorization code from the login flow for tokens',
			},
			{
				name: 'Client Credentials',
				value: 'client_credentials',
				description: 'Client ID and secret of an application or service account (Run:ai 2.20 and later)',
			},
			{
				name: 'External Token Exchange',
				value: 'external_token_exchange',
				description: 'Trade an access token from an external identity provider',
			},
			{ name: 'Password', value: 'password', description: 'A user’s username and password' },
			{
				name: 'Refresh Token',
				value: 'refresh_token',
				description: 'Trade a refresh token for a new access token',
			},
		],
		default: 'client_credentials',
		displayOptions: showFor('create'),
		routing: sendInBody('grantType'),
	},
	secretFromField('client_credentials'),
	{
		...clientIdField,
		displayOptions: showTypedInNode('client_credentials'),
		routing: sendInBody('clientID'),
	},
	{ ...clientIdField, displayOptions: showForGrants('refresh_token', 'exchange_token'), routing: sendInBody('clientID') },
	{
		displayName: 'Client Secret',
		name: 'clientSecret',
		type: 'string',
		typeOptions: { password: true },
		required: true,
		default: '',
		description:
			'The secret of that application or service account. It is saved in the workflow and exported with it: keep it in the Run:ai credential instead where you can.',
		displayOptions: showTypedInNode('client_credentials'),
		routing: sendInBody('clientSecret'),
	},
	{ ...refreshTokenField, displayOptions: showForGrants('refresh_token'), routing: sendInBody('refreshToken') },
	{ ...authorizationCodeField, displayOptions: showForGrants('exchange_token'), routing: sendInBody('code') },
	{ ...redirectUriField, displayOptions: showForGrants('exchange_token'), routing: sendInBody('redirectUri') },
	{
		displayName: 'Username',
		name: 'username',
		type: 'string',
		required: true,
		default: '',
		description: 'The Run:ai user who gets the token, usually an email address',
		displayOptions: showForGrants('password'),
		routing: sendInBody('username'),
	},
	{
		displayName: 'Password',
		name: 'password',
		type: 'string',
		typeOptions: { password: true },
		required: true,
		default: '',
		description: 'That user’s password',
		displayOptions: showForGrants('password'),
		routing: sendInBody('password'),
	},
	{
		displayName: 'External Token',
		name: 'externalToken',
		type: 'string',
		typeOptions: { password: true },
		required: true,
		default: '',
		description: 'An access token issued by an external identity provider Run:ai trusts',
		displayOptions: showForGrants('external_token_exchange'),
		routing: sendInBody('externalToken'),
	},
	secretFromField('app_token'),
	{
		displayName: 'Application ID',
		name: 'appId',
		type: 'string',
		required: true,
		default: '',
		description: 'The ID of the Run:ai application that gets the token',
		displayOptions: showTypedInNode('app_token'),
		routing: sendInBody('appID'),
	},
	{
		displayName: 'Application Secret',
		name: 'appSecret',
		type: 'string',
		typeOptions: { password: true },
		required: true,
		default: '',
		description:
			'The secret of that application. It is saved in the workflow and exported with it: keep it in the Run:ai credential instead where you can.',
		displayOptions: showTypedInNode('app_token'),
		routing: sendInBody('appSecret'),
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: showFor('create'),
		options: [
			{
				displayName: 'User-Agent',
				name: 'userAgent',
				type: 'string',
				default: '',
				description: 'Sent as the User-Agent header, which Run:ai’s token endpoint accepts',
				routing: sendParameter('options.userAgent', (requestOptions, value) => ({
					...requestOptions,
					headers: { ...requestOptions.headers, 'User-Agent': String(value) },
				})),
			},
		],
	},

	// Exchange Code (Legacy)
	{ ...redirectUriField, displayOptions: showFor('exchangeCode'), routing: sendInQuery('redirect_uri') },
	{ ...authorizationCodeField, displayOptions: showFor('exchangeCode'), routing: sendInQuery('code') },

	// Get App Token (Legacy)
	{
		displayName: 'Application ID',
		name: 'applicationId',
		type: 'string',
		required: true,
		default: '',
		description: 'The ID of the Run:ai application that gets the token',
		displayOptions: showFor('getAppToken'),
		routing: sendInBody('id'),
	},
	{
		displayName: 'Application Name',
		name: 'applicationName',
		type: 'string',
		required: true,
		default: '',
		description: 'The name of that application, as Run:ai shows it',
		displayOptions: showFor('getAppToken'),
		routing: sendInBody('name'),
	},
	{
		displayName: 'Application Secret',
		name: 'applicationSecret',
		type: 'string',
		typeOptions: { password: true },
		required: true,
		default: '',
		description: 'The secret of that application',
		displayOptions: showFor('getAppToken'),
		routing: sendInBody('secret'),
	},

	// Refresh (Legacy)
	{ ...refreshTokenField, displayOptions: showFor('refresh'), routing: sendInQuery('refresh_token') },
];
