import { Elysia } from 'elysia'

/** Who may use a route: anyone, any key, or an admin key only. */
export type Access = 'public' | 'read' | 'admin'

/** Where a route's declared access is kept: an OpenAPI extension, so the document shows it too. */
export const accessField = 'x-automcp-access'

// Who made a request that got through: the key's id (or the client address with auth off). Set by the
// guard, read by handlers as `caller` and by the WebSocket routes through their upgrade request.
const callers = new WeakMap<Request, string>()
export const clientOf = (request: Request): string => callers.get(request) ?? 'anonymous'
export const setCaller = (request: Request, caller: string) => callers.set(request, caller)

/**
 * Each route states its access where it is defined (`{ access: 'read' }`), and the guard enforces what
 * the matched route declares; `caller` is resolved for its handler. A route that declares nothing
 * takes an admin key: forgetting is never an opening.
 */
export const accessMacro = new Elysia({ name: 'access' }).macro({
  access: (level: Access) => ({
    detail: { [accessField]: level, ...(level === 'public' ? { security: [] } : {}) } as Record<
      string,
      unknown
    >,
    resolve: ({ request }: { request: Request }) => ({ caller: clientOf(request) }),
  }),
})

/** Methods that change something: a browser may send them from another origin without asking. */
export const changesState = (method: string) => method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS'
