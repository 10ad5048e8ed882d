import type { MatchedRoute } from '../../shared/route-match'

/** Who may use a route: anyone, any key, or an admin key only. */
export type Access = 'public' | 'read' | 'admin'

// The exceptions to "a read key may GET, only an admin key may change", by matched route. POST
// /chat/models is the seed's verb for a read; /chat spends upstream credit.
const exceptions: Record<string, Access> = {
  'GET /health': 'public',
  'GET /openapi/json': 'public',
  'GET /swagger': 'public',
  'GET /swagger/:asset': 'public',
  'WS /events': 'read',
  'WS /chat': 'admin',
  'POST /chat/models': 'read',
}

/**
 * The access a request needs, decided on the route the router matched. A request that matches no route
 * needs a key (any key then gets 404 from the guard, never a handler).
 */
export function accessOf(route: MatchedRoute | undefined, method: string, publicMetrics: boolean): Access {
  if (!route) return 'admin'
  const key = `${route.method} ${route.pattern}`
  const exception = exceptions[key] ?? (publicMetrics && key === 'GET /metrics' ? 'public' : undefined)
  if (exception) return exception
  return method === 'GET' || method === 'HEAD' ? 'read' : 'admin'
}

/** Methods that change something; with CORS origins configured a foreign Origin may not send them. */
export const changesState = (method: string) => method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS'
