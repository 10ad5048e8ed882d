import { Elysia } from 'elysia'
import { HttpError, isOpenAIPath } from '../../shared/errors'
import type { RateLimiter } from '../../shared/rate-limit'
import type { Authenticator } from './authenticator'

export type GuardSettings = {
  mode: 'on' | 'off'
  corsOrigins: readonly string[]
  limiter: RateLimiter
  /** Failed key checks per client address. */
  failures: RateLimiter
  /** `/metrics` without a key (AUTOMCP_METRICS_PUBLIC). */
  publicMetrics: boolean
}

// Who made a request that got through: the key's id (or the client address with auth off). Read by
// /chat to rate-limit chat messages per key.
const clients = new WeakMap<Request, string>()
export const clientOf = (request: Request): string => clients.get(request) ?? 'anonymous'

// Open to anyone: the health check, and the documentation (the Swagger page asks for a key itself).
const isPublic = (method: string, path: string) =>
  (method === 'GET' || method === 'HEAD') &&
  (path === '/health' || path === '/openapi/json' || path === '/swagger' || path.startsWith('/swagger/'))

// A read key may look, not change: GET routes, /events, and the model list (POST there is the seed's
// verb for a read). /chat spends upstream credit, so it takes an admin key.
const readAllows = (method: string, path: string) =>
  ((method === 'GET' || method === 'HEAD') && path !== '/chat') ||
  (method === 'POST' && path === '/chat/models')

// Browsers cannot set headers on a WebSocket; they can offer subprotocols: ['automcp', 'bearer.<key>'].
const bearerProtocol = 'bearer.'

const unauthorized = (code: string, detail: string, path: string) => {
  const res = new HttpError(401, code, detail).toResponse(isOpenAIPath(path))
  res.headers.set('www-authenticate', 'Bearer')
  return res
}

/**
 * Every request but the public ones must carry a key: `Authorization: Bearer <key>`, or for a WebSocket
 * upgrade also `?token=<key>` or a `bearer.<key>` subprotocol. Checked in onRequest, before routing and
 * body parsing, so an anonymous client costs nothing but this; then the client's rate limit. Failed
 * attempts are limited per address, so keys cannot be guessed at full speed. A WebSocket's Origin must
 * be an allowed CORS origin when any are configured.
 */
export const authGuard = (
  auth: Authenticator,
  { mode, corsOrigins, limiter, failures, publicMetrics }: GuardSettings,
) =>
  // `path` is the router's own reading of the URL: deciding on anything else lets a request look public
  // to the guard and private to the router.
  new Elysia({ name: 'auth' }).onRequest((context) => {
    const { request, set, server } = context
    // Elysia's context has it from the start, though its onRequest typing does not say so.
    const path = (context as unknown as { path: string }).path
    const { method, headers } = request
    if (method === 'OPTIONS') return // CORS preflight carries no credentials
    const upgrade = isUpgrade(request, path)
    const origin = headers.get('origin')
    if (upgrade && origin && corsOrigins.length > 0 && !corsOrigins.includes(origin))
      return new HttpError(
        403,
        'origin_not_allowed',
        `Origin ${origin} may not open WebSockets here`,
      ).toResponse()
    if (isPublic(method, path) || (publicMetrics && path === '/metrics' && method === 'GET')) return

    const address = () => server?.requestIP(request)?.address ?? 'unknown'
    let client: string
    if (mode === 'off') client = address()
    else {
      const key = presentedKey(request, upgrade, set.headers)
      const who = key ? auth.identify(key) : undefined
      if (!who) {
        // A good key is never refused for what others did from the same address (a proxy, say); past 30
        // failures a minute, failures are answered 429 so that a misconfigured client backs off.
        const wait = failures.take(address())
        if (wait > 0) return tooMany(wait, 'Too many requests with a missing or wrong API key', path)
        return key
          ? unauthorized('invalid_api_key', 'The API key is unknown or revoked', path)
          : unauthorized('unauthorized', 'An API key is required: send "Authorization: Bearer <key>"', path)
      }
      if (who.role === 'read' && !readAllows(method, path))
        return new HttpError(403, 'forbidden', `A read key cannot ${method} ${path}`).toResponse(
          isOpenAIPath(path),
        )
      client = who.id
    }
    const waitMs = limiter.take(client)
    if (waitMs > 0) return tooMany(waitMs, 'Too many requests; try again after Retry-After seconds', path)
    clients.set(request, client)
  })

const tooMany = (waitMs: number, detail: string, path: string) => {
  const res = new HttpError(429, 'rate_limited', detail).toResponse(isOpenAIPath(path))
  res.headers.set('retry-after', String(Math.ceil(waitMs / 1000)))
  return res
}

// Keys in URLs end up in proxy logs: `?token=` and subprotocols count only for a real WebSocket upgrade
// of a WebSocket route, where a browser has no other way.
const isUpgrade = (request: Request, path: string) =>
  request.method === 'GET' &&
  (path === '/events' || path === '/chat') &&
  request.headers.get('upgrade')?.toLowerCase() === 'websocket' &&
  request.headers.has('sec-websocket-key')

function presentedKey(request: Request, upgrade: boolean, responseHeaders: Record<string, unknown>) {
  const key = bearer(request.headers.get('authorization'))
  if (key || !upgrade) return key
  const token = new URL(request.url).searchParams.get('token')
  if (token) return token
  const offered =
    request.headers
      .get('sec-websocket-protocol')
      ?.split(',')
      .map((p) => p.trim()) ?? []
  const fromProtocol = offered.find((p) => p.startsWith(bearerProtocol))
  if (!fromProtocol) return undefined
  // A browser drops a socket whose server picks none of the offered protocols.
  responseHeaders['sec-websocket-protocol'] =
    offered.find((p) => !p.startsWith(bearerProtocol)) ?? fromProtocol
  return fromProtocol.slice(bearerProtocol.length)
}

function bearer(header: string | null): string | undefined {
  if (!header) return undefined
  const [scheme, value] = header.split(' ', 2)
  return scheme?.toLowerCase() === 'bearer' && value ? value.trim() : undefined
}
