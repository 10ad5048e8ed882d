import type { ServerRow } from '../../db/schema'
import { serverNotFound } from '../../shared/errors'
import type { ListQuery, PatchBody, RegisterBody, ServerInfo } from './model'
import type { ServerRepository, ServerSettings } from './repository'

const seconds = (ms: number | null) => (ms === null ? null : ms / 1000)

/** The API's view of a row: epoch seconds, and header names without their values. */
export function toServerInfo(row: ServerRow): ServerInfo {
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
    header_names: Object.keys(row.headers),
    interval_s: row.intervalS,
    timeout_ms: row.timeoutMs,
    tags: row.tags,
    created_at: row.createdAt / 1000,
    updated_at: row.updatedAt / 1000,
  }
}

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

type CachedList = { revision: number; body: string; etag: string }
const maxCachedLists = 64

export type ServerService = ReturnType<typeof createServerService>

export function createServerService({
  repo,
  now = Date.now,
}: {
  repo: ServerRepository
  now?: () => number
}) {
  // Listing is the hot read (dashboards poll it): keep each serialized answer until the table changes.
  const lists = new Map<string, CachedList>()

  const find = (id: string) => {
    const row = repo.get(id)
    if (!row) throw serverNotFound()
    return row
  }

  return {
    /** The JSON array of servers matching the filter, with an ETag for conditional requests. */
    listJson(query: ListQuery): CachedList {
      const key = `${query.status ?? ''}\u0000${query.tag ?? ''}`
      const hit = lists.get(key)
      if (hit && hit.revision === repo.revision) return hit
      const body = JSON.stringify(repo.list(query).map(toServerInfo))
      const fresh = { revision: repo.revision, body, etag: `"${Bun.hash(body).toString(36)}"` }
      if (lists.size >= maxCachedLists) lists.clear()
      lists.set(key, fresh)
      return fresh
    },

    get: (id: string): ServerInfo => toServerInfo(find(id)),

    register(body: RegisterBody): { id: string; created: boolean } {
      const id = body.id ?? generateId(body.name)
      const settings: ServerSettings = {
        name: body.name,
        url: body.url,
        transport: body.transport ?? 'auto',
        headers: body.headers ?? {},
        intervalS: body.interval_s ?? null,
        timeoutMs: body.timeout_ms ?? null,
        tags: body.tags ?? [],
      }
      return { id, ...repo.upsert(id, settings, now()) }
    },

    patch(id: string, body: PatchBody): ServerInfo {
      const row = repo.patch(
        id,
        {
          name: body.name,
          url: body.url,
          transport: body.transport,
          headers: body.headers,
          intervalS: body.interval_s,
          timeoutMs: body.timeout_ms,
          tags: body.tags,
        },
        now(),
      )
      if (!row) throw serverNotFound()
      return toServerInfo(row)
    },

    remove(id: string): void {
      if (!repo.remove(id)) throw serverNotFound()
    },
  }
}
