import type { ICredentialType } from 'n8n-workflow';

/**
 * The fields of n8n's generic `oAuth2Api` credential (n8n-nodes-base 2.41, OAuth2Api.credentials)
 * that n8n-core's OAuth2 code reads for the client credentials grant. n8n-nodes-base is not a
 * dependency of this package; credentials that extend `oAuth2Api` get these fields in n8n,
 * and the harness gives them the same. The real n8n end-to-end tests use the real one.
 */
export const oAuth2Api: ICredentialType = {
	name: 'oAuth2Api',
	displayName: 'OAuth2 API',
	properties: [
		{ displayName: 'Grant Type', name: 'grantType', type: 'options', options: [{ name: 'Client Credentials', value: 'clientCredentials' }], default: 'authorizationCode' },
		{ displayName: 'Authorization URL', name: 'authUrl', type: 'string', default: '' },
		{ displayName: 'Access Token URL', name: 'accessTokenUrl', type: 'string', default: '' },
		{ displayName: 'Client ID', name: 'clientId', type: 'string', default: '' },
		{ displayName: 'Client Credential Type', name: 'clientCredentialType', type: 'hidden', default: 'clientSecret' },
		{ displayName: 'Client Secret', name: 'clientSecret', type: 'string', typeOptions: { password: true }, default: '' },
		{ displayName: 'Scope', name: 'scope', type: 'string', default: '' },
		{ displayName: 'Auth URI Query Parameters', name: 'authQueryParameters', type: 'string', default: '' },
		{ displayName: 'Authentication', name: 'authentication', type: 'options', options: [{ name: 'Body', value: 'body' }, { name: 'Header', value: 'header' }], default: 'header' },
		{ displayName: 'Ignore SSL Issues', name: 'ignoreSSLIssues', type: 'boolean', default: false },
	],
};
