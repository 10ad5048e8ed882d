import type { OAuthChallenge, OAuthConfig } from '../../../shared/domain'

/** Tokens as AutoMCP keeps them: the token response, and when it came and runs out (epoch ms). */
export type StoredTokens = {
  access_token: string
  token_type: string
  refresh_token?: string
  scope?: string
  expires_in?: number
  obtained_at: number
  expires_at?: number
  [key: string]: unknown
}

/** A client AutoMCP registered (RFC 7591), named by a metadata document, or was given. */
export type StoredClient = { client_id: string; client_secret?: string; [key: string]: unknown }

/**
 * Everything a server's OAuth needs, opened from the database for a check or a call: the user's settings,
 * the client, the tokens, what discovery found and what the server last asked for. `generation` ties it
 * to the registration, so what the MCP thread learns is stored only for the endpoint it was learnt on.
 */
export type OAuthMaterial = {
  generation: number
  config: OAuthConfig
  client?: StoredClient
  tokens?: StoredTokens
  /** What discovery found (the SDK's OAuthDiscoveryState, as JSON): public metadata, kept to skip it next time. */
  discovery?: unknown
  challenge?: OAuthChallenge
}

/** What the MCP thread learnt of a server's OAuth, for the API thread to store. */
export type OAuthEvent = {
  serverId: string
  generation: number
  /** New tokens (a refresh, client credentials), or null when they no longer work. */
  tokens?: StoredTokens | null
  /** When the tokens these replace were obtained (null: none): stored only if they are still the ones kept. */
  replaces?: number | null
  client?: StoredClient
  discovery?: unknown
  challenge?: OAuthChallenge
  /** Why the server cannot be used now (a refused refresh, a token request that failed); null: no longer. */
  error?: string | null
}

/** Tokens with the times AutoMCP needs: when they came, and when they run out. */
export function stamp(tokens: Omit<StoredTokens, 'obtained_at'>, now = Date.now()): StoredTokens {
  const { obtained_at: _, expires_at: __, ...rest } = tokens as StoredTokens
  return {
    ...rest,
    obtained_at: now,
    ...(typeof tokens.expires_in === 'number' ? { expires_at: now + tokens.expires_in * 1_000 } : {}),
  }
}
