import { HttpError } from '../../shared/errors'
import type { MatchedRoute } from '../../shared/route-match'

/** The gateway's routes of one toolset: the only ones a key limited to a toolset reaches. */
export const toolsetRoutes: readonly string[] = ['/mcp/:toolset', '/sse/:toolset', '/sse/:toolset/message']

/**
 * Whether a key limited to `toolset` may take this request: only when the router matched one of
 * `toolsetRoutes` and the path's segment at the `:toolset` position is exactly the toolset's name. The
 * segment is compared raw, as the router read it: a toolset name never needs percent-encoding, so an
 * encoded spelling (`%61bc` for `abc`) is refused rather than decoded.
 */
export function reachesToolset(toolset: string, route: MatchedRoute | undefined, path: string): boolean {
  if (!route || !toolsetRoutes.includes(route.pattern)) return false
  const position = route.pattern.split('/').indexOf(':toolset')
  // The router ignores one trailing slash (Elysia's loose paths); so does this.
  const loose = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path
  return loose.split('/')[position] === toolset
}

export const toolsetOnly = (toolset: string) =>
  new HttpError(403, 'toolset_only', `This key is limited to the toolset ${toolset}: use /mcp/${toolset}`)
