// Hash routes (`#/servers/<id>`): the server has one page, and nothing of the route reaches its logs.
import { signal } from '@preact/signals'

export type Route =
  | { page: 'servers' }
  | { page: 'server'; id: string }
  | { page: 'register' }
  | { page: 'chat' }
  | { page: 'toolsets' }
  | { page: 'keys' }

export function parseRoute(hash: string): Route {
  const [, page = '', id] = hash.replace(/^#/, '').split('/')
  if (page === 'servers' && id) return { page: 'server', id: decodeURIComponent(id) }
  if (page === 'register' || page === 'chat' || page === 'toolsets' || page === 'keys') return { page }
  return { page: 'servers' }
}

export const route = signal<Route>(parseRoute(location.hash))
addEventListener('hashchange', () => {
  route.value = parseRoute(location.hash)
})

export const hrefOf = (r: Route) =>
  r.page === 'server' ? `#/servers/${encodeURIComponent(r.id)}` : `#/${r.page}`
