// The live server list's pure parts: applying an `/events` message to rows, the order, the counts.
import type { ServerInfo } from '../modules/servers/model'

/** A server as the list shows it: its info and the latencies of the last checks seen (for the sparkline). */
export type Row = { info: ServerInfo; latencies: number[] }

export type ServerEvent =
  | { type: 'snapshot'; seq: number; data: ServerInfo[] }
  | { type: 'server_registered' | 'server_update' | 'server_removed'; seq: number; data: ServerInfo }

/** How many latencies a row keeps for its sparkline. */
export const sparkLength = 30

/** The row after a newer `info`: a check (a new `last_checked`) adds its latency. */
export function nextRow(previous: Row | undefined, info: ServerInfo): Row {
  if (!previous) return { info, latencies: info.latency_ms === null ? [] : [info.latency_ms] }
  const checked = info.last_checked !== null && info.last_checked !== previous.info.last_checked
  if (!checked || info.latency_ms === null) return { info, latencies: previous.latencies }
  return { info, latencies: [...previous.latencies, info.latency_ms].slice(-sparkLength) }
}

/** Ids by name, then id: the list's order. */
export function orderOf(infos: Iterable<ServerInfo>): string[] {
  return [...infos].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id)).map((s) => s.id)
}

export type Counts = Record<ServerInfo['status'], number>

export function countsOf(infos: Iterable<ServerInfo>): Counts {
  const counts: Counts = { healthy: 0, degraded: 0, unhealthy: 0, unknown: 0 }
  for (const s of infos) counts[s.status]++
  return counts
}

export function tagsOf(infos: Iterable<ServerInfo>): string[] {
  const tags = new Set<string>()
  for (const s of infos) for (const t of s.tags) tags.add(t)
  return [...tags].sort()
}

/** Whether the backoff's next wait: doubling from half a second to ten, with some jitter. */
export const backoff = (attempt: number, random = Math.random) =>
  Math.min(10_000, 500 * 2 ** attempt) * (0.8 + 0.4 * random())
