import type { ServerRow } from '../../db/schema'
import type { OAuthConfig } from '../../shared/domain'
import type { SecretBox } from '../../shared/secrets'
import type { OAuthEvent, OAuthMaterial, StoredClient, StoredTokens } from '../mcp'

// Each sealed OAuth value opens only in its own row and field.
const context = (id: string, field: 'oauth' | 'client' | 'tokens') => `${id} oauth-${field}`

/** A server's OAuth as the database holds it, the secrets sealed: what `saveOAuth` writes. */
export type OAuthChange = Omit<OAuthEvent, 'serverId' | 'generation' | 'tokens'> & {
  tokens?: StoredTokens | null
  state?: ServerRow['authState']
  scopes?: string[]
}

/** The OAuth settings, client and tokens of servers, sealed on the way in and opened only to be used. */
export function createOAuthSeal(box: SecretBox) {
  const seal = (value: unknown, id: string, field: 'oauth' | 'client' | 'tokens') =>
    box.seal(JSON.stringify(value), context(id, field))
  const open = <T>(text: string | null, id: string, field: 'oauth' | 'client' | 'tokens'): T | undefined =>
    text === null ? undefined : (JSON.parse(box.open(text, context(id, field))) as T)

  return {
    sealConfig: (id: string, config: OAuthConfig | null) => (config ? seal(config, id, 'oauth') : null),

    /** What a server's checks and calls need of its OAuth, in clear; undefined when it has none. */
    materialOf(row: ServerRow): OAuthMaterial | undefined {
      const config = open<OAuthConfig>(row.oauth, row.id, 'oauth')
      if (!config) return undefined
      return {
        generation: row.generation,
        config,
        client: open<StoredClient>(row.oauthClient, row.id, 'client'),
        tokens: open<StoredTokens>(row.oauthTokens, row.id, 'tokens'),
        discovery: row.oauthDiscovery ?? undefined,
        challenge: row.oauthChallenge ?? undefined,
      }
    },

    /** The columns a change writes: new tokens set the state, the scopes and the expiry with them. */
    columnsOf(id: string, change: OAuthChange): Partial<ServerRow> {
      const out: Partial<ServerRow> = {}
      if (change.client) out.oauthClient = seal(change.client, id, 'client')
      if (change.discovery !== undefined) out.oauthDiscovery = change.discovery as Record<string, unknown>
      if (change.challenge) out.oauthChallenge = change.challenge
      if (change.tokens) {
        // A challenge answered the tokens before these: kept, the same refusal of the new tokens (a 401
        // once more, a 403 for scopes just granted) would look like old news and never reach auth.state.
        out.oauthChallenge = change.challenge ?? null
        out.oauthTokens = seal(change.tokens, id, 'tokens')
        out.authExpiresAt = change.tokens.expires_at ?? null
        if (change.tokens.scope) out.authScopes = change.tokens.scope.split(/\s+/).filter(Boolean)
        out.authState = 'authorized'
        out.authError = null
      } else if (change.tokens === null) {
        out.oauthTokens = null
        out.authExpiresAt = null
      }
      if (change.scopes) out.authScopes = change.scopes
      if (change.state) out.authState = change.state
      if (change.error !== undefined) out.authError = change.error
      return out
    },
  }
}
