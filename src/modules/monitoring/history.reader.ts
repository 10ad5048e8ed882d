import { and, asc, desc, eq, gte, lt, lte, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { type CheckRow, checks, rollups, servers } from '../../db/schema'
import { HOUR, periodStart } from '../../shared/time'
import { periodMs, rawStats, rollupStats, sourceFor, type WindowStats } from './stats'

/** Reads check history: pages of raw checks, a window's statistics, uptime per server. */
export function createHistoryReader(db: Db) {
  const p = sql.placeholder
  const allServerIds = db.select({ id: servers.id }).from(servers).prepare()
  const upOf = db
    .select({
      up: sql<number>`coalesce(sum(${rollups.up}), 0)`,
      count: sql<number>`coalesce(sum(${rollups.count}), 0)`,
    })
    .from(rollups)
    .where(and(eq(rollups.serverId, p('id')), eq(rollups.period, 'hour'), gte(rollups.start, p('from'))))
    .prepare()

  return {
    /** Raw checks newest first; `before` is the cursor (a check time, exclusive). */
    page(serverId: string, q: { from?: number; to?: number; before?: number; limit: number }): CheckRow[] {
      return db
        .select()
        .from(checks)
        .where(
          and(
            eq(checks.serverId, serverId),
            q.from === undefined ? undefined : gte(checks.checkedAt, q.from),
            q.to === undefined ? undefined : lte(checks.checkedAt, q.to),
            q.before === undefined ? undefined : lt(checks.checkedAt, q.before),
          ),
        )
        .orderBy(desc(checks.checkedAt))
        .limit(q.limit)
        .all()
    },

    /** Statistics over [now - windowMs, now]: exact from raw rows while they are kept, else from rollups. */
    stats(
      serverId: string,
      windowMs: number,
      now: number,
      rawKeptMs: number,
      hourlyKeptMs: number,
    ): WindowStats {
      const since = now - windowMs
      const source = sourceFor(windowMs, { rawMs: rawKeptMs, hourlyMs: hourlyKeptMs })
      if (source.raw)
        return rawStats(
          db
            .select({ status: checks.status, latencyMs: checks.latencyMs })
            .from(checks)
            .where(and(eq(checks.serverId, serverId), gte(checks.checkedAt, since)))
            .all(),
        )
      const rows = db
        .select()
        .from(rollups)
        .where(
          and(
            eq(rollups.serverId, serverId),
            eq(rollups.period, source.period),
            gte(rollups.start, periodStart(since, periodMs[source.period])),
          ),
        )
        .orderBy(asc(rollups.start))
        .all()
      return rollupStats(rows, source.period)
    },

    /** Uptime ratio per server over the hourly rollups since `since` (servers without checks are absent). */
    uptimeSince(since: number): Map<string, number> {
      // One primary-key range per server: a single GROUP BY would scan every rollup there is.
      const from = periodStart(since, HOUR)
      const uptimes = new Map<string, number>()
      for (const { id } of allServerIds.all()) {
        const row = upOf.get({ id, from })
        if (row && row.count > 0) uptimes.set(id, row.up / row.count)
      }
      return uptimes
    },
  }
}
