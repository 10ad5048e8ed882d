import type { ServerRow } from '../../db/schema'
import { MINUTE } from '../../shared/time'
import type { ListQuery } from './model'
import type { ServerRepository } from './repository'
import { toServerInfo } from './view'

export type CachedList = {
  version: number
  bytes: Uint8Array<ArrayBuffer>
  etag: string
  text?: string
  /** `writes` when built, and when it was last known current (performance.now()). */
  writes: number
  checkedAt: number
}

const maxCachedLists = 64
const coalesceMs = 250
const [open, comma, close, empty] = ['[', ',', ']', '[]'].map((t) => Buffer.from(t)) as [
  Buffer,
  Buffer,
  Buffer,
  Buffer,
]
const uptimeTtlMs = MINUTE

export type UptimeCache = ReturnType<typeof createUptimeCache>

/** 24 h uptime moves slowly; recomputing it for every list would cost more than it tells. */
export function createUptimeCache(uptime: () => Map<string, number>, now: () => number) {
  let uptimes = { at: Number.NEGATIVE_INFINITY, map: new Map<string, number>() }
  return {
    /** The uptimes, recomputed when older than a minute; `at` tells when they were. */
    current() {
      if (now() - uptimes.at > uptimeTtlMs) uptimes = { at: now(), map: uptime() }
      return uptimes
    },
  }
}

type Entries = Map<string, { row: ServerRow; bytes: Buffer }>

/**
 * Every server's encoded JSON, oldest first: reloads only the rows written since it was last asked, and
 * everything when the uptimes were recomputed. `version` counts the changes.
 */
function createEntries(repo: Pick<ServerRepository, 'takeChanged' | 'list' | 'get'>, uptimes: UptimeCache) {
  let entries: Entries | undefined
  let entriesUptime = Number.NEGATIVE_INFINITY
  let version = 0
  const entryOf = (row: ServerRow, uptime: Map<string, number>) => ({
    row,
    bytes: Buffer.from(JSON.stringify(toServerInfo(row, uptime.get(row.id) ?? null))),
  })
  return {
    version: () => version,
    current(): Entries {
      const uptime = uptimes.current()
      const changed = repo.takeChanged()
      if (!entries || entriesUptime !== uptime.at) {
        entries = new Map(repo.list().map((row) => [row.id, entryOf(row, uptime.map)]))
        entriesUptime = uptime.at
        version++
        return entries
      }
      for (const id of changed) {
        const row = repo.get(id)
        if (row) entries.set(id, entryOf(row, uptime.map))
        else entries.delete(id)
      }
      if (changed.size > 0) version++
      return entries
    },
  }
}

/**
 * The server list as encoded JSON. Listing is the hot read (dashboards poll it) while checks rewrite rows
 * all the time: keep every server's encoded JSON, reload only the rows written since, and each
 * assembled answer until then.
 */
export function createListCache({
  repo,
  uptimes,
}: {
  repo: Pick<ServerRepository, 'takeChanged' | 'list' | 'get'>
  uptimes: UptimeCache
}) {
  const entries = createEntries(repo, uptimes)
  const lists = new Map<string, CachedList>()
  // ETags from the version: unique across restarts thanks to the boot time, and free to compute.
  const boot = Date.now().toString(36)

  // During a sweep checks rewrite rows hundreds of times a second; rebuilding the list for each request
  // would spend the API's thread on them. So changes made by background checks reach a list at most
  // `coalesceMs` late (events carry them at once), while writes made through the service (register,
  // patch, delete, a check asked for) show in the very next list.
  let writes = 0

  function assemble(all: Entries, version: number, key: string, query: ListQuery, t: number) {
    const parts: Buffer[] = []
    for (const { row, bytes } of all.values()) {
      if (query.status && row.status !== query.status) continue
      if (query.tag && !row.tags.includes(query.tag)) continue
      parts.push(parts.length === 0 ? open : comma, bytes)
    }
    parts.push(parts.length === 0 ? empty : close)
    const list: CachedList = {
      version,
      writes,
      checkedAt: t,
      bytes: Buffer.concat(parts),
      etag: `"${boot}-${version}-${Bun.hash(key).toString(36)}"`,
    }
    return list
  }

  /**
   * The JSON array of servers matching the filter, as UTF-8, with an ETag for conditional requests.
   * `exact` skips the coalescing: an events snapshot must hold every change published before it.
   */
  function listJson(query: ListQuery = {}, exact = false): CachedList {
    const key = `${query.status ?? ''}\u0000${query.tag ?? ''}`
    const hit = lists.get(key)
    const t = performance.now()
    if (!exact && hit && hit.writes === writes && t - hit.checkedAt < coalesceMs) return hit
    const all = entries.current()
    const version = entries.version()
    if (hit && hit.version === version) {
      hit.checkedAt = t
      hit.writes = writes
      return hit
    }
    const fresh = assemble(all, version, key, query, t)
    if (lists.size >= maxCachedLists) lists.clear()
    lists.set(key, fresh)
    return fresh
  }

  return {
    listJson,

    /** The whole list as text, exactly as of now: the events snapshot. */
    listText(): string {
      const list = listJson({}, true)
      list.text ??= list.bytes.toString()
      return list.text
    },

    /** A write made through the service: the next list must show it. */
    invalidate() {
      writes++
    },
  }
}
