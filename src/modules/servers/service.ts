import type { ServerRow } from '../../db/schema'
import { HttpError, serverNotFound, urlBlocked } from '../../shared/errors'
import { literalRefusal, type Refusal } from '../../shared/ssrf'
import type { ListQuery, PatchBody, RegisterBody, ServerInfo } from './model'
import type { ServerRepository, ServerSettings } from './repository'

const seconds = (ms: number | null) => (ms === null ? null : ms / 1000)

/** The API's view of a row: epoch seconds, and header names without their values. */
export function toServerInfo(row: ServerRow, uptime24h: number | null = null): ServerInfo {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    status: row.status,
    status_reason: row.statusReason,
    last_checked: seconds(row.lastCheckedAt),
    capabilities: row.capabilities,
    latency_ms: row.latencyMs,
    transport: row.transport,
    active_transport: row.activeTransport,
    header_names: row.headerNames,
    interval_s: row.intervalS,
    timeout_ms: row.timeoutMs,
    failure_threshold: row.failureThreshold,
    success_threshold: row.successThreshold,
    uptime_24h: uptime24h,
    tags: row.tags,
    created_at: row.createdAt / 1000,
    updated_at: row.updatedAt / 1000,
  }
}

/** Tags as stored: each once, in the order first given. */
const uniqueTags = (tags: string[] | undefined) => (tags === undefined ? undefined : [...new Set(tags)])

/** A readable id for servers registered without one: `my-server-1a2b3c4d`. */
export function generateId(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 48)
  const suffix = crypto.getRandomValues(new Uint32Array(1))[0]?.toString(16).padStart(8, '0')
  return `${slug || 'server'}-${suffix}`
}

export type RegistryChange =
  | { type: 'registered' | 'updated'; server: ServerInfo }
  | { type: 'removed'; server: ServerInfo }

type CachedList = {
  version: number
  bytes: Uint8Array
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
const uptimeTtlMs = 60_000

export type ServerService = ReturnType<typeof createServerService>

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
  // 24 h uptime moves slowly; recomputing it for every list would cost more than it tells.
  let uptimes = { at: Number.NEGATIVE_INFINITY, map: new Map<string, number>() }
  const uptimeMap = () => {
    if (now() - uptimes.at > uptimeTtlMs) uptimes = { at: now(), map: uptime() }
    return uptimes.map
  }

  // Listing is the hot read (dashboards poll it) while checks rewrite rows all the time: keep every
  // server's encoded JSON, reload only the rows written since, and each assembled answer until then.
  let entries: Map<string, { row: ServerRow; bytes: Buffer }> | undefined
  let entriesUptime = uptimes.at
  let version = 0
  const lists = new Map<string, CachedList>()
  // ETags from the version: unique across restarts thanks to the boot time, and free to compute.
  const boot = Date.now().toString(36)
  const entryOf = (row: ServerRow) => ({
    row,
    bytes: Buffer.from(JSON.stringify(toServerInfo(row, uptimes.map.get(row.id) ?? null))),
  })

  // During a sweep checks rewrite rows hundreds of times a second; rebuilding the list for each request
  // would spend the API's thread on them. So changes made by background checks reach a list at most
  // `coalesceMs` late (events carry them at once), while writes made through this service (register,
  // patch, delete, a check asked for) show in the very next list.
  let writes = 0

  function currentEntries() {
    uptimeMap()
    const changed = repo.takeChanged()
    if (!entries || entriesUptime !== uptimes.at) {
      entries = new Map(repo.list().map((row) => [row.id, entryOf(row)]))
      entriesUptime = uptimes.at
      version++
      return entries
    }
    for (const id of changed) {
      const row = repo.get(id)
      if (row) entries.set(id, entryOf(row))
      else entries.delete(id)
    }
    if (changed.size > 0) version++
    return entries
  }

  const find = (id: string) => {
    const row = repo.get(id)
    if (!row) throw serverNotFound()
    return row
  }
  const info = (row: ServerRow) => toServerInfo(row, uptimeMap().get(row.id) ?? null)
  const checkUrl = (url: string | undefined) => {
    const why = url === undefined ? null : literalRefusal(url, refusal)
    if (why) throw urlBlocked(why)
  }

  const settingsOf = (body: RegisterBody): ServerSettings => ({
    name: body.name,
    url: body.url,
    transport: body.transport ?? 'auto',
    headers: body.headers ?? {},
    intervalS: body.interval_s ?? null,
    timeoutMs: body.timeout_ms ?? null,
    failureThreshold: body.failure_threshold ?? null,
    successThreshold: body.success_threshold ?? null,
    tags: uniqueTags(body.tags) ?? [],
  })

  return {
    /**
     * The JSON array of servers matching the filter, as UTF-8, with an ETag for conditional requests.
     * `exact` skips the coalescing: an events snapshot must hold every change published before it.
     */
    listJson(query: ListQuery = {}, exact = false): CachedList {
      const key = `${query.status ?? ''}\u0000${query.tag ?? ''}`
      const hit = lists.get(key)
      const t = performance.now()
      if (!exact && hit && hit.writes === writes && t - hit.checkedAt < coalesceMs) return hit
      const all = currentEntries()
      if (hit && hit.version === version) {
        hit.checkedAt = t
        hit.writes = writes
        return hit
      }
      const parts: Buffer[] = []
      for (const { row, bytes } of all.values()) {
        if (query.status && row.status !== query.status) continue
        if (query.tag && !row.tags.includes(query.tag)) continue
        parts.push(parts.length === 0 ? open : comma, bytes)
      }
      parts.push(parts.length === 0 ? empty : close)
      const fresh = {
        version,
        writes,
        checkedAt: t,
        bytes: Buffer.concat(parts),
        etag: `"${boot}-${version}-${Bun.hash(key).toString(36)}"`,
      }
      if (lists.size >= maxCachedLists) lists.clear()
      lists.set(key, fresh)
      return fresh
    },

    /** The whole list as text, exactly as of now: the events snapshot. */
    listText(): string {
      const list = this.listJson({}, true)
      list.text ??= list.bytes.toString()
      return list.text
    },

    get: (id: string): ServerInfo => info(find(id)),

    /** A change the caller just made (a check it asked for) must show in the next list. */
    invalidate() {
      writes++
    },

    /** The stored row, settings and secrets included: for the monitor, never for a response. */
    row: find,

    register(body: RegisterBody): { id: string; created: boolean } {
      checkUrl(body.url)
      const id = body.id ?? generateId(body.name)
      if (repo.isFullFor(id, maxServers))
        throw new HttpError(
          409,
          'server_limit_reached',
          `At most ${maxServers} servers may be registered (AUTOMCP_MAX_SERVERS)`,
        )
      const { created } = repo.upsert(id, settingsOf(body), now())
      writes++
      onChange({ type: created ? 'registered' : 'updated', server: info(find(id)) })
      return { id, created }
    },

    patch(id: string, body: PatchBody): ServerInfo {
      checkUrl(body.url)
      const row = repo.patch(
        id,
        {
          name: body.name,
          url: body.url,
          transport: body.transport,
          headers: body.headers,
          intervalS: body.interval_s,
          timeoutMs: body.timeout_ms,
          failureThreshold: body.failure_threshold,
          successThreshold: body.success_threshold,
          tags: uniqueTags(body.tags),
        },
        now(),
      )
      if (!row) throw serverNotFound()
      writes++
      const server = info(row)
      onChange({ type: 'updated', server })
      return server
    },

    remove(id: string): void {
      const server = info(find(id))
      if (!repo.remove(id)) throw serverNotFound()
      writes++
      onChange({ type: 'removed', server })
    },
  }
}
