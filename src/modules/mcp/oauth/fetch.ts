import { extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js'
import type { OAuthChallenge } from '../../../shared/domain'
import type { FetchLike } from '../../../shared/guarded-fetch'
import { clientCredentials, refreshTokens } from './flows'
import type { OAuthHolder } from './holder'
import type { OAuthEvent, OAuthMaterial } from './material'
import { asksNothingNew } from './scope'

// A token this close to its end is renewed before it is sent.
const renewAheadMs = 60_000
// After a refused renewal, requests go out without trying again for this long.
const renewBackoffMs = 30_000
// A token endpoint that does not answer does not hold every request of the server.
const renewTimeoutMs = 30_000

type Deps = {
  serverId: string
  url: string
  holder: OAuthHolder
  base: FetchLike
  emit: (event: OAuthEvent) => void
  now?: () => number
}

/**
 * The fetch of a server's MCP session when it uses OAuth: every request carries the newest access token;
 * a token about to run out is refreshed first (client credentials: asked for again); a 401 is answered by
 * one refresh and one retry; what the server's challenge asks for (RFC 9728 resource metadata, scope) is
 * told to the API thread, which shows it and uses it for the next authorization. The SDK's transports get
 * no auth provider: a health check must never start a registration or a consent on its own.
 */
export function createOAuthFetch({ serverId, url, holder, base, emit, now = Date.now }: Deps): FetchLike {
  const send = (m: OAuthMaterial | undefined, input: Parameters<FetchLike>[0], init?: RequestInit) => {
    if (!m?.tokens) return base(input, init)
    const headers = new Headers(init?.headers)
    headers.set('authorization', `Bearer ${m.tokens.access_token}`)
    return base(input, { ...init, headers })
  }
  const cc = (m: OAuthMaterial) => m.config.grant === 'client_credentials'
  const renewable = (m: OAuthMaterial) => cc(m) || Boolean(m.tokens?.refresh_token && m.discovery)
  const dueSoon = (m: OAuthMaterial) =>
    !m.tokens || (m.tokens.expires_at !== undefined && m.tokens.expires_at - now() < renewAheadMs)

  async function renew(m: OAuthMaterial, scope?: string): Promise<OAuthMaterial | undefined> {
    return holder.renew(serverId, async () => {
      // Another request renewed (or was refused) since `m` was read: its answer stands. Refreshing again
      // would spend a rotated refresh token twice, and the authorization server refuses the second.
      const current = holder.get(serverId)
      if (scope === undefined && m.tokens && current?.tokens?.access_token !== m.tokens.access_token)
        return current?.tokens ? current : undefined
      if (now() - (holder.failedAt.get(serverId) ?? 0) < renewBackoffMs) return undefined
      const bounded: FetchLike = (input, init) =>
        base(input, { ...init, signal: AbortSignal.timeout(renewTimeoutMs) })
      // What a renewal brings back stands only if nothing replaced the tokens meanwhile (a new
      // authorization at the callback): a refresh of the old ones must not undo it.
      // (By value: every check offers the database's copy, equal tokens in another object.)
      const still = () => holder.get(serverId)?.tokens?.access_token === current?.tokens?.access_token
      const replaces = m.tokens?.obtained_at ?? null
      try {
        const renewed = cc(m)
          ? await clientCredentials(url, m, bounded, scope)
          : { tokens: await refreshTokens(url, m, bounded), discovery: undefined }
        if (!still()) return holder.get(serverId)
        const discovery = renewed.discovery ?? m.discovery
        holder.update(serverId, { tokens: renewed.tokens, discovery })
        holder.failedAt.delete(serverId)
        emit({ serverId, generation: m.generation, tokens: renewed.tokens, discovery, replaces })
        return holder.get(serverId)
      } catch (e) {
        if (!still()) return holder.get(serverId)
        const why = e instanceof Error ? e.message : String(e)
        holder.update(serverId, { tokens: undefined })
        holder.failedAt.set(serverId, now())
        emit({
          serverId,
          generation: m.generation,
          tokens: null,
          replaces,
          error: cc(m) ? `token request refused: ${why}` : `refresh refused: ${why}`,
        })
        return undefined
      }
    })
  }

  return async (input, init) => {
    let m = holder.get(serverId)
    if (!m) return base(input, init)
    if (renewable(m) && dueSoon(m) && (m.tokens || cc(m))) m = (await renew(m)) ?? m
    let res = await send(m, input, init)
    if (res.status !== 401 && res.status !== 403) return res
    const challenge = challengeOf(res)
    if (res.status === 401 && m.tokens && renewable(m)) {
      const renewed = await renew(m)
      if (renewed?.tokens) {
        await res.body?.cancel()
        res = await send(renewed, input, init)
        if (res.status !== 401) return res
        m = renewed
      }
    }
    // Client credentials may simply ask for the scope a 403 names, once.
    const step = challenge?.error === 'insufficient_scope' && cc(m)
    if (step && !asksNothingNew(challenge?.scope, m.tokens?.scope?.split(' ') ?? [])) {
      const renewed = await renew(m, challenge?.scope)
      if (renewed?.tokens) {
        await res.body?.cancel()
        return send(renewed, input, init)
      }
    }
    if (challenge && JSON.stringify(challenge) !== JSON.stringify(m.challenge)) {
      holder.update(serverId, { challenge })
      emit({ serverId, generation: m.generation, challenge })
    }
    return res
  }
}

/** What a 401 or 403 asks for, from its `WWW-Authenticate: Bearer …`; a 403 without one is no challenge. */
function challengeOf(res: Response): OAuthChallenge | undefined {
  const header = res.headers.get('www-authenticate')
  if (res.status === 403 && !/^\s*bearer\b/i.test(header ?? '')) return undefined
  const { resourceMetadataUrl, scope, error } = extractWWWAuthenticateParams(res)
  return {
    status: res.status,
    ...(scope ? { scope } : {}),
    ...(resourceMetadataUrl ? { resourceMetadataUrl: resourceMetadataUrl.href } : {}),
    ...(error ? { error } : {}),
  }
}
