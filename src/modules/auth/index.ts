import { Elysia } from 'elysia'
import { bodyRefusal } from '../../shared/body'
import { HttpError, isOpenAIPath, routeNotFound } from '../../shared/errors'
import type { RateLimiter } from '../../shared/rate-limit'
import type { RequestLog } from '../../shared/request-log'
import type { MatchedRoute, RouteTable } from '../../shared/route-match'
import { type Access, changesState, setCaller } from './access'

export { type Access, accessMacro, clientOf } from './access'

import { ceilSeconds } from '../../shared/time'
import type { Authenticator, Identity } from './authenticator'
import { reachesToolset, toolsetOnly } from './toolset-door'

export type GuardSettings = {
  mode: 'on' | 'off'
  corsOrigins: readonly string[]
  limiter: RateLimiter
  /** Failed key checks per client address. */
  failures: RateLimiter
  routes: RouteTable
  log: RequestLog
  /** The largest body the matched route takes. */
  bodyLimitOf: (route: MatchedRoute | undefined) => number
  /** Why a request to the route is refused for its Host or Origin (DNS rebinding), if it is. */
  rebinding?: (request: Request, route: MatchedRoute | undefined) => string | undefined
}

// Browsers cannot set headers on a WebSocket; they can offer subprotocols: ['automcp', 'bearer.<key>'].
const bearerProtocol = 'bearer.'

/**
 * The front door, before routing and body parsing, so an anonymous client costs nothing but this. Every
 * decision is taken on the route the router will match (`routes`), never on the raw path: Origin, then
 * the key and its role, then the client's rate limit, then the body's size and type. Failed key checks
 * are limited per address, so keys cannot be guessed at full speed. Every refusal is logged and counted.
 */
export const authGuard = (auth: Authenticator, settings: GuardSettings) =>
  new Elysia({ name: 'auth' }).onRequest((context) => {
    const { request, set, server } = context
    if (request.method === 'OPTIONS') return // CORS preflight carries no credentials
    // Elysia's context has `path` from the start, though its onRequest typing does not say so.
    const path = (context as unknown as { path: string }).path
    const route = settings.routes.of(request, path)
    const address = () => server?.requestIP(request)?.address ?? 'unknown'
    const decision = decide(auth, settings, request, { route, path }, set.headers, address)
    if (typeof decision === 'string') {
      setCaller(request, decision)
      return
    }
    settings.log.refused(request, route, decision)
    return decision.error.toResponse(isOpenAIPath(route?.pattern ?? new URL(request.url).pathname))
  })

/** Why a request was refused: the answer, and a reason for the log and `/metrics`. */
export type Refusal = { error: HttpError; reason: RefusalReason }
export type RefusalReason =
  | 'origin_not_allowed'
  | 'host_not_allowed'
  | 'missing_key'
  | 'invalid_key'
  | 'too_many_failures'
  | 'forbidden'
  | 'toolset_only'
  | 'rate_limited'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'route_not_found'

const refuse = (error: HttpError, reason: RefusalReason): Refusal => ({ error, reason })

/** The client's identity when the request may go on, else why it is refused. */
function decide(
  auth: Authenticator,
  settings: GuardSettings,
  request: Request,
  { route, path }: { route: MatchedRoute | undefined; path: string },
  responseHeaders: Record<string, unknown>,
  address: () => string,
): string | Refusal {
  const { method } = request
  const originRefused = foreignOrigin(request, route, settings.corsOrigins)
  if (originRefused) return originRefused
  const rebound = settings.rebinding?.(request, route)
  if (rebound) return refuse(new HttpError(403, 'host_not_allowed', rebound), 'host_not_allowed')
  // What the matched route declares; a path that matches no route needs a key, then gets a 404.
  const access = (route?.access as Access | undefined) ?? 'admin'
  if (access === 'public') return 'anonymous'
  const who =
    settings.mode === 'on'
      ? identify(auth, settings.failures, request, route, responseHeaders, address)
      : undefined
  if (who && 'error' in who) return who
  const client = who?.id ?? address()
  const waitMs = settings.limiter.take(client)
  if (waitMs > 0)
    return refuse(tooMany(waitMs, 'Too many requests; try again after Retry-After seconds'), 'rate_limited')
  // A key handed to a desktop client reaches its toolset's gateway routes and nothing else, not even a
  // 404 that would tell it which paths exist.
  if (who?.toolset !== undefined && !reachesToolset(who.toolset, route, path))
    return refuse(toolsetOnly(who.toolset), 'toolset_only')
  // A path that matches no route reaches no handler whoever asks: answered after the key check so that
  // anonymous clients cannot map the API, and before any decision that depends on the route.
  if (!route) return refuse(routeNotFound(method, new URL(request.url).pathname), 'route_not_found')
  if (who?.role === 'read' && access === 'admin')
    return refuse(
      new HttpError(403, 'forbidden', `A read key cannot ${method} ${route.pattern}`),
      'forbidden',
    )
  const body = bodyRefusal(request, settings.bodyLimitOf(route))
  return body ? refuse(body, body.code as RefusalReason) : client
}

/**
 * WebSockets and state-changing requests escape CORS (a form POST, a request without a body, a socket
 * opened by any page), so from a browser they are taken only from AutoMCP's own origin or one listed in
 * AUTOMCP_CORS_ORIGINS. Clients that are not browsers send no Origin.
 */
function foreignOrigin(request: Request, route: MatchedRoute | undefined, corsOrigins: readonly string[]) {
  const origin = request.headers.get('origin')
  const socket = route?.method === 'WS'
  if (!origin || !(socket || changesState(request.method)) || corsOrigins.includes(origin)) return undefined
  const host = request.headers.get('host')
  if (host && (origin === `http://${host}` || origin === `https://${host}`)) return undefined
  const what = socket ? 'open WebSockets' : `send ${request.method} requests`
  return refuse(
    new HttpError(403, 'origin_not_allowed', `Origin ${origin} may not ${what} here`),
    'origin_not_allowed',
  )
}

/** The key's owner, or why the request is refused: no key, an unknown one, or too many failures. */
function identify(
  auth: Authenticator,
  failures: RateLimiter,
  request: Request,
  route: MatchedRoute | undefined,
  responseHeaders: Record<string, unknown>,
  address: () => string,
): Identity | Refusal {
  const handshake = route?.method === 'WS' && request.headers.has('sec-websocket-key')
  const key = presentedKey(request, handshake, responseHeaders)
  const who = key ? auth.identify(key) : undefined
  if (who) return who
  // A good key is never refused for what others did from the same address (a proxy, say); past 30
  // failures a minute, failures are answered 429 so that a misconfigured client backs off.
  const wait = failures.take(address())
  if (wait > 0)
    return refuse(tooMany(wait, 'Too many requests with a missing or wrong API key'), 'too_many_failures')
  return key
    ? refuse(unauthorized('invalid_api_key', 'The API key is unknown or revoked'), 'invalid_key')
    : refuse(
        unauthorized('unauthorized', 'An API key is required: send "Authorization: Bearer <key>"'),
        'missing_key',
      )
}

const unauthorized = (code: string, detail: string) =>
  new HttpError(401, code, detail, { 'www-authenticate': 'Bearer' })

const tooMany = (waitMs: number, detail: string) =>
  new HttpError(429, 'rate_limited', detail, { 'retry-after': String(ceilSeconds(waitMs)) })

// Keys in URLs end up in proxy logs: `?token=` and subprotocols count only for a real WebSocket
// handshake on a WebSocket route, where a browser has no other way.
function presentedKey(request: Request, handshake: boolean, responseHeaders: Record<string, unknown>) {
  const key = bearer(request.headers.get('authorization'))
  if (key || !handshake) return key
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

// RFC 7235: the scheme, case-insensitive, then one or more spaces, then the credentials.
const bearerHeader = /^bearer +(\S+) *$/i

function bearer(header: string | null): string | undefined {
  return header ? bearerHeader.exec(header)?.[1] : undefined
}
