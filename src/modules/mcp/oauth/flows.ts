import {
  auth,
  discoverOAuthServerInfo,
  type OAuthDiscoveryState,
  refreshAuthorization,
  selectResourceURL,
} from '@modelcontextprotocol/sdk/client/auth.js'
import type {
  AuthorizationServerMetadata,
  OAuthClientInformationMixed,
} from '@modelcontextprotocol/sdk/shared/auth.js'
import type { FetchLike } from '../../../shared/guarded-fetch'
import type { OAuthMaterial, StoredClient, StoredTokens } from './material'
import { stamp } from './material'
import { createProvider, type ProviderOptions, type Working } from './provider'
import { chooseScope } from './scope'

/** An authorization begun: where to send the user, and what its end (the callback) needs. */
export type Begun = {
  authorizationUrl: string
  verifier: string
  client?: StoredClient
  discovery: unknown
  scope?: string
}

/** The resource metadata URL the server's last challenge named, if it named one. */
const metadataUrlOf = (m: OAuthMaterial) =>
  m.challenge?.resourceMetadataUrl ? new URL(m.challenge.resourceMetadataUrl) : undefined

/** The tokens `auth()` saved, with the times AutoMCP keeps. */
function tokensOf(working: Working): StoredTokens {
  if (!working.tokens) throw new Error('the token endpoint gave no tokens')
  return stamp(working.tokens as StoredTokens)
}

const grantedOf = (m: OAuthMaterial) => m.tokens?.scope?.split(/\s+/).filter(Boolean) ?? []

/**
 * Discovers the server's authorization server (protected resource metadata from the last challenge or the
 * well-known locations, then its metadata), picks the scope and the client (pre-registered, metadata
 * document, or dynamic registration) and builds the authorization URL with PKCE, `state` and `resource`:
 * the SDK's `auth()` does each step as the MCP authorization spec orders them.
 */
export async function beginAuthorization(
  url: string,
  m: OAuthMaterial,
  options: Required<Pick<ProviderOptions, 'redirectUrl' | 'state'>> & Pick<ProviderOptions, 'clientIdUrl'>,
  fetchFn: FetchLike,
): Promise<Begun> {
  const info = await discoverOAuthServerInfo(url, { resourceMetadataUrl: metadataUrlOf(m), fetchFn })
  const discovery: OAuthDiscoveryState = { ...info, resourceMetadataUrl: m.challenge?.resourceMetadataUrl }
  const scope = chooseScope({
    configured: m.config.scopes,
    challenge: m.challenge?.scope,
    resourceScopes: info.resourceMetadata?.scopes_supported,
    serverScopes: info.authorizationServerMetadata?.scopes_supported,
    granted: grantedOf(m),
  })
  // No tokens here: with a refresh token `auth()` would refresh instead of asking the user again.
  const working: Working = { discovery }
  const provider = createProvider(m, { ...options, scope }, working)
  const result = await auth(provider, { serverUrl: url, scope, fetchFn })
  if (result !== 'REDIRECT' || !working.authorizationUrl || !working.verifier)
    throw new Error('the authorization server gave no authorization URL')
  return {
    authorizationUrl: working.authorizationUrl.href,
    verifier: working.verifier,
    client: working.client,
    discovery,
    scope,
  }
}

/** The callback's half: the code exchanged for tokens at the token endpoint (PKCE verifier, `resource`). */
export async function finishAuthorization(
  url: string,
  m: OAuthMaterial,
  begun: Omit<Begun, 'authorizationUrl'>,
  code: string,
  options: Pick<ProviderOptions, 'redirectUrl' | 'clientIdUrl'>,
  fetchFn: FetchLike,
): Promise<{ tokens: StoredTokens; client?: StoredClient }> {
  const working: Working = {
    client: begun.client,
    discovery: begun.discovery as OAuthDiscoveryState,
    verifier: begun.verifier,
  }
  const provider = createProvider(m, { ...options, scope: begun.scope }, working)
  await auth(provider, { serverUrl: url, authorizationCode: code, scope: begun.scope, fetchFn })
  return { tokens: tokensOf(working), client: working.client }
}

/** Client credentials (machine to machine): a token without a user, discovered and asked for like the rest. */
export async function clientCredentials(
  url: string,
  m: OAuthMaterial,
  fetchFn: FetchLike,
  scope?: string,
): Promise<{ tokens: StoredTokens; discovery?: unknown }> {
  const working: Working = { discovery: m.discovery as OAuthDiscoveryState | undefined }
  const chosen = scope ?? chooseScope({ configured: m.config.scopes, challenge: m.challenge?.scope })
  const provider = createProvider(m, { scope: chosen }, working)
  await auth(provider, { serverUrl: url, scope: chosen, resourceMetadataUrl: metadataUrlOf(m), fetchFn })
  return { tokens: tokensOf(working), discovery: working.discovery }
}

/** A new access token from the refresh token (the old refresh token is kept when none comes back). */
export async function refreshTokens(
  url: string,
  m: OAuthMaterial,
  fetchFn: FetchLike,
): Promise<StoredTokens> {
  const discovery = m.discovery as OAuthDiscoveryState | undefined
  const refreshToken = m.tokens?.refresh_token
  if (!discovery || !refreshToken) throw new Error('nothing to refresh with')
  const working: Working = {}
  const provider = createProvider(m, {}, working)
  const resource = await selectResourceURL(url, provider, discovery.resourceMetadata)
  const tokens = await refreshAuthorization(discovery.authorizationServerUrl, {
    metadata: discovery.authorizationServerMetadata,
    clientInformation: provider.clientInformation() as OAuthClientInformationMixed,
    refreshToken,
    resource,
    addClientAuthentication: provider.addClientAuthentication,
    fetchFn,
  })
  return stamp(tokens as StoredTokens)
}

/** RFC 7009: tells the authorization server to forget the tokens, where it offers revocation. Best effort. */
export async function revokeTokens(m: OAuthMaterial, fetchFn: FetchLike): Promise<boolean> {
  const metadata = (m.discovery as OAuthDiscoveryState | undefined)?.authorizationServerMetadata as
    | (AuthorizationServerMetadata & { revocation_endpoint?: string })
    | undefined
  const endpoint = metadata?.revocation_endpoint
  // The client the tokens were issued to: registered, or given in the settings.
  const client = createProvider(m, {}, {}).clientInformation() as StoredClient | undefined
  if (!endpoint || !client || !m.tokens) return false
  let revoked = false
  for (const [token, hint] of [
    [m.tokens.refresh_token, 'refresh_token'],
    [m.tokens.access_token, 'access_token'],
  ] as const) {
    if (!token) continue
    const body = new URLSearchParams({ token, token_type_hint: hint, client_id: client.client_id })
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' }
    if (client.client_secret) {
      body.delete('client_id')
      headers.authorization = `Basic ${btoa(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`)}`
    }
    const res = await fetchFn(endpoint, { method: 'POST', headers, body, signal: AbortSignal.timeout(5_000) })
    await res.body?.cancel()
    revoked ||= res.ok
  }
  return revoked
}
