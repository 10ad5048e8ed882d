import type { OAuthClientProvider, OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js'
import { createPrivateKeyJwtAuth } from '@modelcontextprotocol/sdk/client/auth-extensions.js'
import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js'
import type { OAuthMaterial, StoredClient } from './material'

/** What one run of the SDK's `auth()` found or made, starting from the stored material. */
export type Working = {
  client?: StoredClient
  tokens?: OAuthTokens
  discovery?: OAuthDiscoveryState
  verifier?: string
  authorizationUrl?: URL
}

export type ProviderOptions = {
  /** Where the authorization server sends the browser back (none for client credentials). */
  redirectUrl?: string
  /** The URL of AutoMCP's Client ID Metadata Document, used when it is https (the SDK's rule). */
  clientIdUrl?: string
  scope?: string
  state?: string
}

/**
 * The SDK's OAuthClientProvider over one operation: it reads the stored material and writes what `auth()`
 * saves into `working`, which the caller hands back to the API thread to store (sealed). Nothing is kept
 * here between operations: the database is the one copy.
 */
export function createProvider(
  m: OAuthMaterial,
  options: ProviderOptions,
  working: Working,
): OAuthClientProvider {
  const cc = m.config.grant === 'client_credentials'
  const given = m.config.clientId
    ? {
        client_id: m.config.clientId,
        ...(m.config.clientSecret ? { client_secret: m.config.clientSecret } : {}),
      }
    : undefined
  const redirectUrl = cc ? undefined : options.redirectUrl
  const provider: OAuthClientProvider = {
    get redirectUrl() {
      return redirectUrl
    },
    clientMetadataUrl: !cc && options.clientIdUrl?.startsWith('https://') ? options.clientIdUrl : undefined,
    get clientMetadata() {
      return {
        client_name: 'AutoMCP',
        redirect_uris: redirectUrl ? [redirectUrl] : [],
        grant_types: cc ? ['client_credentials'] : ['authorization_code', 'refresh_token'],
        response_types: cc ? [] : ['code'],
        ...(options.scope ? { scope: options.scope } : {}),
      }
    },
    state: () => options.state ?? crypto.randomUUID(),
    clientInformation: () => (working.client ?? m.client ?? given) as OAuthClientInformationMixed | undefined,
    saveClientInformation(info) {
      working.client = info as StoredClient
    },
    tokens: () => working.tokens,
    saveTokens(tokens) {
      working.tokens = tokens
    },
    redirectToAuthorization(url) {
      working.authorizationUrl = url
    },
    saveCodeVerifier(verifier) {
      working.verifier = verifier
    },
    codeVerifier() {
      if (!working.verifier) throw new Error('no PKCE code verifier for this authorization')
      return working.verifier
    },
    discoveryState: () => working.discovery,
    saveDiscoveryState(state) {
      working.discovery = state
    },
    invalidateCredentials(what) {
      if (what === 'all' || what === 'client') working.client = undefined
      if (what === 'all' || what === 'tokens') working.tokens = undefined
      if (what === 'all' || what === 'discovery') working.discovery = undefined
    },
  }
  if (cc) {
    provider.prepareTokenRequest = (scope) => {
      const params = new URLSearchParams({ grant_type: 'client_credentials' })
      if (scope) params.set('scope', scope)
      return params
    }
  }
  const key = m.config.privateKeyPem
  if (key && m.config.clientId)
    provider.addClientAuthentication = createPrivateKeyJwtAuth({
      issuer: m.config.clientId,
      subject: m.config.clientId,
      privateKey: key,
      alg: m.config.signingAlg ?? 'ES256',
    })
  return provider
}
