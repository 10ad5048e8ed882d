import { Elysia } from 'elysia'
import { HttpError } from '../../shared/errors'
import type { RateLimiter } from '../../shared/rate-limit'
import type { Authenticator } from './authenticator'

export type GuardSettings = {
  mode: 'on' | 'off'
  corsOrigins: readonly string[]
  limiter: RateLimiter
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

const unauthorized = (code: string, detail: string) => {
  const res = new HttpError(401, code, detail).toResponse()
  res.headers.set('www-authenticate', 'Bearer')
  return res
}

/**
 * Every request but the public ones must carry a key: `Authorization: Bearer <key>`, or for a WebSocket
 * also `?token=<key>` or a `bearer.<key>` subprotocol. Checked in onRequest, before routing and body
 * parsing, so an anonymous client costs nothing but this; then the client's rate limit. A WebSocket's
 * Origin must be an allowed CORS origin when any are configured.
 */
export const authGuard = (
  auth: Authenticator,
  { mode, corsOrigins, limiter, publicMetrics }: GuardSettings,
) =>
  new Elysia({ name: 'auth' }).onRequest(({ request, set, server }) => {
    const { method, headers } = request
    if (method === 'OPTIONS') return // CORS preflight carries no credentials
    const websocket = headers.get('upgrade')?.toLowerCase() === 'websocket'
    const origin = headers.get('origin')
    if (websocket && origin && corsOrigins.length > 0 && !corsOrigins.includes(origin))
      return new HttpError(
        403,
        'origin_not_allowed',
        `Origin ${origin} may not open WebSockets here`,
      ).toResponse()
    const path = pathOf(request.url)
    if (isPublic(method, path) || (publicMetrics && path === '/metrics' && method === 'GET')) return

    let client = server?.requestIP(request)?.address ?? 'anonymous'
    if (mode === 'on') {
      const key = presentedKey(request, websocket, set.headers)
      if (!key)
        return unauthorized('unauthorized', 'An API key is required: send "Authorization: Bearer <key>"')
      const who = auth.identify(key)
      if (!who) return unauthorized('invalid_api_key', 'The API key is unknown or revoked')
      if (who.role === 'read' && !readAllows(method, path))
        return new HttpError(403, 'forbidden', `A read key cannot ${method} ${path}`).toResponse()
      client = who.id
    }
    const waitMs = limiter.take(client)
    if (waitMs > 0) {
      const res = new HttpError(
        429,
        'rate_limited',
        'Too many requests; try again after Retry-After seconds',
      ).toResponse()
      res.headers.set('retry-after', String(Math.ceil(waitMs / 1000)))
      return res
    }
    clients.set(request, client)
  })

function presentedKey(request: Request, websocket: boolean, responseHeaders: Record<string, unknown>) {
  const key = bearer(request.headers.get('authorization'))
  if (key || !websocket) return key
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

function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2)
  const query = url.indexOf('?', start)
  return url.slice(start, query === -1 ? undefined : query)
}
