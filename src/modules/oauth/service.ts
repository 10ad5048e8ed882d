import type { ServerRow } from '../../db/schema'
import type { Logger } from '../../shared/logger'
import { asksNothingNew, type HttpTarget, type McpThread, type OAuthEvent } from '../mcp'
import { serverNotFound } from '../servers/errors'
import type { OAuthChange } from '../servers/oauth-seal'
import type { ServerRepository } from '../servers/repository'
import { targetOf } from '../servers/target'
import { noOAuth, notInteractive, oauthFailed } from './errors'
import { createPendingAuthorizations, newState, pendingTtlMs } from './pending'

export type OAuthService = ReturnType<typeof createOAuthService>

/** What the callback page says: connected, or why not. */
export type CallbackResult = { ok: boolean; status: number; code: string; title: string; message: string }

/**
 * OAuth 2.1 to MCP servers, on the API thread: begins an authorization (the MCP thread discovers and
 * builds the URL), finishes it at the callback (one use of `state`, 10 minutes), and stores what the MCP
 * thread learns later (refreshed tokens, a refused refresh, a server's challenge). Tokens are sealed by
 * the servers repository; nothing here logs them.
 */
export function createOAuthService({
  repo,
  thread,
  publicUrl,
  clientIdUrl,
  recheck,
  publish,
  logger,
  now = Date.now,
}: {
  repo: Pick<ServerRepository, 'get' | 'oauthOf' | 'headersOf' | 'stdioOf' | 'saveOAuth'>
  thread: McpThread['oauth']
  /** AutoMCP's address as a browser reaches it (known once it listens). */
  publicUrl: () => string
  clientIdUrl?: string
  /** Checks the server now: what a new token changed shows at once. */
  recheck: (id: string) => void
  /** The server's stored state changed: tell `/events`. */
  publish: (id: string) => void
  logger: Logger
  now?: () => number
}) {
  const pending = createPendingAuthorizations(now)
  const redirectUrl = () => new URL('/oauth/callback', publicUrl()).href
  const documentUrl = () => clientIdUrl ?? new URL('/oauth/client-metadata.json', publicUrl()).href
  const urls = () => ({ redirectUrl: redirectUrl(), clientIdUrl: documentUrl() })

  /** The server as the MCP thread reaches it, with its OAuth material (a server with `oauth` is never stdio). */
  const httpTarget = (row: ServerRow): HttpTarget => {
    const target = targetOf(row, repo)
    if (!target || target.transport === 'stdio' || !target.oauth) throw noOAuth()
    return target
  }
  const save = (row: Pick<ServerRow, 'id' | 'generation'>, change: OAuthChange) => {
    if (repo.saveOAuth(row.id, row.generation, change)) publish(row.id)
  }

  return {
    /** The URL to send the user to; the callback finishes what this begins. */
    async authorize(id: string): Promise<{ authorization_url: string; expires_in: number }> {
      const row = repo.get(id)
      if (!row) throw serverNotFound()
      const material = repo.oauthOf(row)
      if (!material) throw noOAuth()
      if (material.config.grant === 'client_credentials') throw notInteractive()
      const state = newState()
      const begun = await thread.begin(httpTarget(row), state, urls()).catch((e: Error) => {
        save(row, { state: 'error', error: e.message })
        throw oauthFailed(e.message)
      })
      const { authorizationUrl, ...rest } = begun
      pending.put(state, { serverId: id, generation: row.generation, begun: rest })
      logger.info('oauth authorization begun', { server: id })
      return { authorization_url: authorizationUrl, expires_in: pendingTtlMs / 1000 }
    },

    /** `GET /oauth/callback`: the code exchanged for tokens, stored sealed; the server checked at once. */
    async callback(query: {
      state?: string
      code?: string
      error?: string
      error_description?: string
      iss?: string
    }) {
      const entry = query.state ? pending.take(query.state) : undefined
      if (!entry)
        return page(
          false,
          400,
          'invalid_state',
          'This link is not valid',
          'It was used already, or is older than 10 minutes, or was not made by this AutoMCP. Authorize the server again.',
        )
      const row = repo.get(entry.serverId)
      if (!row || row.generation !== entry.generation)
        return page(
          false,
          409,
          'server_changed',
          'The server changed',
          'It was changed or removed since the authorization began. Authorize it again.',
        )
      // RFC 9207: the answer names the authorization server it came from, which must be the one the
      // authorization was begun with (a mix-up attack sends the code elsewhere).
      const issuer = issuerOf(entry.begun.discovery)
      if ((query.iss !== undefined || issuer?.required) && query.iss !== issuer?.issuer) {
        save(row, {
          state: 'error',
          error: 'the authorization answer came from another authorization server (iss)',
        })
        return page(
          false,
          400,
          'issuer_mismatch',
          'Not connected',
          'The answer came from another authorization server than the one asked.',
        )
      }
      if (query.error || !query.code) {
        const why = [query.error ?? 'no code', query.error_description].filter(Boolean).join(': ')
        save(row, { state: 'error', error: `the authorization was refused: ${why}` })
        return page(
          false,
          400,
          'authorization_refused',
          'Not connected',
          `The authorization server said: ${why}`,
        )
      }
      try {
        const { tokens, client } = await thread.finish(httpTarget(row), entry.begun, query.code, urls())
        const scopes = tokens.scope?.split(/\s+/).filter(Boolean) ?? entry.begun.scope?.split(' ') ?? []
        save(row, { tokens, client, discovery: entry.begun.discovery, scopes, error: null })
        logger.info('oauth authorized', { server: row.id, scopes })
        recheck(row.id)
        return page(
          true,
          200,
          'connected',
          `${row.name} is connected`,
          'AutoMCP holds its tokens now and refreshes them. You can close this page.',
        )
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e)
        save(row, { state: 'error', error: `the token request failed: ${why}` })
        return page(false, 502, 'token_request_failed', 'Not connected', `The token request failed: ${why}`)
      }
    },

    /** What the MCP thread learnt: new tokens, a refused renewal, or a server's new challenge. */
    learnt(event: OAuthEvent) {
      const row = repo.get(event.serverId)
      if (!row || row.generation !== event.generation) return
      const { replaces, ...learntNow } = event
      const change: OAuthChange = { ...learntNow }
      // Tokens renewed (or refused) from ones a new authorization has replaced since: they do not count.
      if (event.tokens !== undefined && replaces !== undefined) {
        const kept = repo.oauthOf(row)?.tokens?.obtained_at ?? null
        if (kept !== replaces) {
          delete change.tokens
          delete change.error
          delete change.discovery
        }
      }
      if (change.tokens === null) change.state = row.authGrant === 'client_credentials' ? 'error' : 'expired'
      const challenge = event.challenge
      if (challenge?.status === 401 && !event.tokens && row.authState !== 'expired')
        change.state = 'unauthorized'
      if (challenge?.status === 403 && challenge.error === 'insufficient_scope') {
        // Step-up once: a server that asks again for what was granted will not be helped by asking again.
        const stuck = asksNothingNew(challenge.scope, row.authScopes)
        change.state = stuck ? 'error' : 'unauthorized'
        change.error = stuck
          ? `the server refuses with insufficient_scope for scopes already granted (${challenge.scope ?? 'none named'})`
          : `insufficient_scope: the server asks for "${challenge.scope ?? ''}"; authorize again`
      }
      if (event.error) logger.warn('oauth tokens refused', { server: row.id, error: event.error })
      save(row, change)
    },

    /** Tells the authorization server to forget the tokens of a server being deleted (best effort). */
    revoke(row: ServerRow) {
      if (row.oauthTokens === null) return
      const target = httpTarget(row)
      void thread
        .revoke(target)
        .then((done) => done && logger.info('oauth tokens revoked', { server: row.id }))
        .catch((e: Error) => logger.warn('oauth revocation failed', { server: row.id, error: e.message }))
    },

    /** AutoMCP's Client ID Metadata Document (the client id is its own URL). */
    clientMetadata: () => ({
      client_id: documentUrl(),
      client_name: 'AutoMCP',
      client_uri: publicUrl(),
      redirect_uris: [redirectUrl()],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    }),

    /** Authorizations begun and not finished (for tests and metrics). */
    get pending() {
      return pending.size
    },
  }
}

/** The issuer discovery found, and whether it promised to name itself in its answers (RFC 9207). */
function issuerOf(discovery: unknown): { issuer?: string; required: boolean } | undefined {
  const metadata = (discovery as { authorizationServerMetadata?: Record<string, unknown> } | undefined)
    ?.authorizationServerMetadata
  if (!metadata) return undefined
  return {
    issuer: typeof metadata.issuer === 'string' ? metadata.issuer : undefined,
    required: metadata.authorization_response_iss_parameter_supported === true,
  }
}

function page(ok: boolean, status: number, code: string, title: string, message: string): CallbackResult {
  return { ok, status, code, title, message }
}
