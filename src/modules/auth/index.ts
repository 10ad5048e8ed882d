import { Elysia } from 'elysia'
import { HttpError } from '../../shared/errors'
import type { Authenticator } from './authenticator'

export type GuardSettings = { mode: 'on' | 'off'; corsOrigins: readonly string[] }

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
 * parsing, so an anonymous client costs nothing but this. A WebSocket's Origin must be an allowed CORS
 * origin when any are configured.
 */
export const authGuard = (auth: Authenticator, { mode, corsOrigins }: GuardSettings) =>
  new Elysia({ name: 'auth' }).onRequest(({ request, set }) => {
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
    if (mode === 'off') return
    const path = pathOf(request.url)
    if (isPublic(method, path)) return

    let key = bearer(headers.get('authorization'))
    if (!key && websocket) {
      key = new URL(request.url).searchParams.get('token') ?? undefined
      const offered =
        headers
          .get('sec-websocket-protocol')
          ?.split(',')
          .map((p) => p.trim()) ?? []
      const fromProtocol = offered.find((p) => p.startsWith(bearerProtocol))
      if (!key && fromProtocol) {
        key = fromProtocol.slice(bearerProtocol.length)
        // A browser drops a socket whose server picks none of the offered protocols.
        set.headers['sec-websocket-protocol'] =
          offered.find((p) => !p.startsWith(bearerProtocol)) ?? fromProtocol
      }
    }
    if (!key)
      return unauthorized('unauthorized', 'An API key is required: send "Authorization: Bearer <key>"')
    const who = auth.identify(key)
    if (!who) return unauthorized('invalid_api_key', 'The API key is unknown or revoked')
    if (who.role === 'read' && !readAllows(method, path))
      return new HttpError(403, 'forbidden', `A read key cannot ${method} ${path}`).toResponse()
  })

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
