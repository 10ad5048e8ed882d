import type { ServerStatus } from '../../shared/domain'
import { MINUTE, SECOND } from '../../shared/time'
import { type StatsWindow, windows } from '../monitoring/model'
import type { StatusRow } from './status-page'

/** The windows a badge may show uptime over. */
export const badgeWindows = ['24h', '7d', '30d'] as const satisfies readonly StatsWindow[]
export type BadgeWindow = (typeof badgeWindows)[number]

export type StatusBoard = ReturnType<typeof createStatusBoard>

// The status page and badges answer anyone, often (a README's badges load with every view): statuses are
// read at most every few seconds, and uptimes, which move slowly, once a minute (as /servers does).
const rowsTtlMs = 5 * SECOND
const uptimeTtlMs = MINUTE

function cached<T>(ttlMs: number, now: () => number, read: () => T): () => T {
  let value: { at: number; data: T } | undefined
  return () => {
    if (!value || now() - value.at >= ttlMs) value = { at: now(), data: read() }
    return value.data
  }
}

/**
 * What the public status page and badges show: every server's name and status, with its uptime as the
 * API computes `uptime_24h` (the monitor's hourly rollups, `uptimeSince`) over 24 h, 7 d and 30 d.
 */
export function createStatusBoard({
  servers,
  uptimeSince,
  now = Date.now,
}: {
  servers: () => { id: string; name: string; status: ServerStatus }[]
  /** Uptime ratio per server since an epoch time (a server without checks is absent). */
  uptimeSince: (since: number) => Map<string, number>
  now?: () => number
}) {
  const uptimes = Object.fromEntries(
    badgeWindows.map((w) => [w, cached(uptimeTtlMs, now, () => uptimeSince(now() - windows[w]))]),
  ) as Record<BadgeWindow, () => Map<string, number>>
  const snapshot = cached(rowsTtlMs, now, () => {
    const [day, month] = [uptimes['24h'](), uptimes['30d']()]
    const rows: StatusRow[] = servers().map(({ id, name, status }) => ({
      id,
      name,
      status,
      uptime_24h: day.get(id) ?? null,
      uptime_30d: month.get(id) ?? null,
    }))
    return { rows, byId: new Map(rows.map((r) => [r.id, r])), at: now() }
  })
  return {
    /** Every server, in the registry's order, and when they were read (epoch ms). */
    rows: () => {
      const { rows, at } = snapshot()
      return { rows, at }
    },
    /** One server's row, or undefined for an id no server has. */
    row: (id: string): StatusRow | undefined => snapshot().byId.get(id),
    /** One server's uptime over `window`; null without checks in it. */
    uptime: (id: string, window: BadgeWindow): number | null => uptimes[window]().get(id) ?? null,
  }
}
