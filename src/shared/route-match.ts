/**
 * A route as the app registered it: `WS` for WebSocket routes, `:name` for a parameter segment, and the
 * access it declares (`public`, `read`, `admin`), if any.
 */
export type RouteDef = { readonly method: string; readonly path: string; readonly access?: string }

/** The route a request reaches: its method (WS for an upgrade), its pattern (`/servers/:id`), its access. */
export type MatchedRoute = { readonly method: string; readonly pattern: string; readonly access?: string }

type Compiled = RouteDef & { readonly segments: readonly string[]; readonly rank: readonly number[] }

// Per segment, what the router prefers when several routes fit: a literal, then a parameter, then `*`.
const segmentRank = (segment: string) => (segment === '*' ? 2 : segment.startsWith(':') ? 1 : 0)

/**
 * Which registered route the router sends a request to, by the router's own rules: the raw path as
 * received (dot segments already resolved by Bun, percent-encoding kept), one trailing slash ignored
 * (Elysia's loose paths), a parameter is one non-empty segment, HEAD falls back to GET, and a GET
 * whose `Upgrade` header is exactly `websocket` goes to the WS route. Letter case, `//` and encoded
 * letters in literal segments reach no route. Access decisions are taken on this, never on the path.
 */
export function createRouteMatcher(routes: readonly RouteDef[]) {
  const byMethod = new Map<string, Compiled[]>()
  for (const route of routes) {
    const segments = route.path.split('/').slice(1)
    const list = byMethod.get(route.method) ?? []
    list.push({ ...route, segments, rank: segments.map(segmentRank) })
    byMethod.set(route.method, list)
  }
  return (method: string, path: string, upgrade: boolean): MatchedRoute | undefined => {
    const loose = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path
    const segments = loose.split('/').slice(1)
    const methods =
      method === 'HEAD' ? ['HEAD', 'GET'] : method === 'GET' && upgrade ? ['WS', 'GET'] : [method]
    for (const m of methods) {
      const found = best(byMethod.get(m), segments)
      if (found) return { method: found.method, pattern: found.path, access: found.access }
    }
    return undefined
  }
}

function fits(pattern: readonly string[], segments: readonly string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i] as string
    if (want === '*') return true
    const got = segments[i]
    if (got === undefined) return false
    if (want.startsWith(':') ? got === '' : want !== got) return false
  }
  return pattern.length === segments.length
}

/** The route that fits and that the router prefers; no array per request, as this runs on every one. */
function best(routes: Compiled[] | undefined, segments: readonly string[]): Compiled | undefined {
  let winner: Compiled | undefined
  for (const route of routes ?? [])
    if (fits(route.segments, segments) && (!winner || preferred(route.rank, winner.rank))) winner = route
  return winner
}

function preferred(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < Math.min(a.length, b.length); i++)
    if (a[i] !== b[i]) return (a[i] as number) < (b[i] as number)
  return a.length > b.length
}

/** Routes to WS as the router does: a GET whose `Upgrade` is exactly `websocket` (case-sensitive). */
export const routesToWebSocket = (request: Request) =>
  request.method === 'GET' && request.headers.get('upgrade') === 'websocket'

export type RouteTable = ReturnType<typeof createRouteTable>

/**
 * The matched route of each request, found once (in the first onRequest hook) and shared by every
 * decision taken before the handler: access, Origin, body limit, error shape, the request log. The
 * routes are read on first use, when the app has registered them all.
 */
export function createRouteTable(routes: () => readonly RouteDef[]) {
  let match: ReturnType<typeof createRouteMatcher> | undefined
  const found = new WeakMap<Request, MatchedRoute | null>()
  return {
    /** `path`: the request's path as the router reads it (Elysia's `context.path` in onRequest). */
    of(request: Request, path: string): MatchedRoute | undefined {
      const known = found.get(request)
      if (known !== undefined) return known ?? undefined
      match ??= createRouteMatcher(routes())
      const route = match(request.method, path, routesToWebSocket(request))
      found.set(request, route ?? null)
      return route
    },
    /** The route already found for this request (undefined when none matched or none was looked up). */
    known: (request: Request): MatchedRoute | undefined => found.get(request) ?? undefined,
  }
}
