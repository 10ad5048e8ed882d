import type { ServerRow } from '../../db/schema'
import { literalRefusal, type Refusal } from '../../shared/ssrf'
import { serverLimitReached, serverNotFound, urlBlocked } from './errors'
import { type CachedList, createListCache, createUptimeCache } from './list-cache'
import type { ListQuery, PatchBody, RegisterBody, ServerInfo } from './model'
import type { ServerRepository } from './repository'
import { changesOf, generateId, settingsOf, toServerInfo } from './view'

export type RegistryChange =
  | { type: 'registered' | 'updated'; server: ServerInfo }
  | { type: 'removed'; server: ServerInfo }

export type ServerService = ReturnType<typeof createServerService>

/** The registry: registering, changing and removing servers, and the cached list (list-cache.ts). */
export function createServerService({
  repo,
  uptime = () => new Map(),
  onChange = () => {},
  now = Date.now,
  refusal = () => null,
  maxServers = Number.POSITIVE_INFINITY,
}: {
  repo: ServerRepository
  /** Registering one more than this is refused (409). */
  maxServers?: number
  /** The SSRF guard's rules: a URL whose host is a blocked address is refused at once (422). */
  refusal?: Refusal
  /** Uptime ratio over the last 24 h per server id. */
  uptime?: () => Map<string, number>
  onChange?: (change: RegistryChange) => void
  now?: () => number
}) {
  const uptimes = createUptimeCache(uptime, now)
  const lists = createListCache({ repo, uptimes })

  const find = (id: string) => {
    const row = repo.get(id)
    if (!row) throw serverNotFound()
    return row
  }
  const info = (row: ServerRow) => toServerInfo(row, uptimes.current().map.get(row.id) ?? null)
  const checkUrl = (url: string | undefined) => {
    const why = url === undefined ? null : literalRefusal(url, refusal)
    if (why) throw urlBlocked(why)
  }

  return {
    /**
     * The JSON array of servers matching the filter, as UTF-8, with an ETag for conditional requests.
     * `exact` skips the coalescing: an events snapshot must hold every change published before it.
     */
    listJson: (query: ListQuery = {}, exact = false): CachedList => lists.listJson(query, exact),

    /** The whole list as text, exactly as of now: the events snapshot. */
    listText: (): string => lists.listText(),

    get: (id: string): ServerInfo => info(find(id)),

    /** A change the caller just made (a check it asked for) must show in the next list. */
    invalidate: () => lists.invalidate(),

    /** The stored row, settings and secrets included: for the monitor, never for a response. */
    row: find,

    register(body: RegisterBody): { id: string; created: boolean } {
      checkUrl(body.url)
      const id = body.id ?? generateId(body.name)
      if (repo.isFullFor(id, maxServers)) throw serverLimitReached(maxServers)
      const { created } = repo.upsert(id, settingsOf(body), now())
      lists.invalidate()
      onChange({ type: created ? 'registered' : 'updated', server: info(find(id)) })
      return { id, created }
    },

    patch(id: string, body: PatchBody): ServerInfo {
      checkUrl(body.url)
      const row = repo.patch(id, changesOf(body), now())
      if (!row) throw serverNotFound()
      lists.invalidate()
      const server = info(row)
      onChange({ type: 'updated', server })
      return server
    },

    remove(id: string): void {
      const server = info(find(id))
      if (!repo.remove(id)) throw serverNotFound()
      lists.invalidate()
      onChange({ type: 'removed', server })
    },
  }
}
