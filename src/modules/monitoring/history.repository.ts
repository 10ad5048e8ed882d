import { and, asc, desc, eq, gte, lt, lte, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { type CheckRow, checks, rollups, servers } from '../../db/schema'
import type { ServerStatus } from '../../shared/domain'
import { bucketOf, emptyHistogram, histogramQuantile, sortedQuantile } from './latency'
import type { ProbeOutcome } from './probe'
import { isUp } from './status'

const HOUR = 3_600_000
const DAY = 24 * HOUR

/** One finished check and what it did to its server, as the recorder writes them. */
export type CheckResult = {
  serverId: string
  /** The server's generation when the check began: the result belongs to that registration only. */
  generation: number
  checkedAt: number
  outcome: ProbeOutcome
  status: ServerStatus
  reason: string | null
}

type Aggregate = {
  count: number
  up: number
  minMs: number | null
  maxMs: number | null
  sumMs: number
  hist: number[]
}

export type WindowStats = {
  checks: number
  uptime_ratio: number | null
  p50_ms: number | null
  p95_ms: number | null
  p99_ms: number | null
  min_ms: number | null
  max_ms: number | null
  source: 'raw' | 'hourly' | 'daily'
}

export type HistoryRepository = ReturnType<typeof createHistoryRepository>

/** Check history: batched writes with their rollups, paging, window statistics and retention. */
export function createHistoryRepository(db: Db) {
  const p = sql.placeholder
  const insertCheck = db
    .insert(checks)
    .values({
      serverId: p('serverId'),
      checkedAt: p('checkedAt'),
      status: p('status'),
      reason: p('reason'),
      latencyMs: p('latencyMs'),
      error: p('error'),
    })
    .onConflictDoNothing()
    .prepare()
  // Adds a batch's aggregate to its rollup row in one statement, histogram included.
  const addToRollup = db
    .insert(rollups)
    .values({
      serverId: p('serverId'),
      period: p('period'),
      start: p('start'),
      count: p('count'),
      up: p('up'),
      minMs: p('minMs'),
      maxMs: p('maxMs'),
      sumMs: p('sumMs'),
      hist: p('hist'),
    })
    .onConflictDoUpdate({
      target: [rollups.serverId, rollups.period, rollups.start],
      set: {
        count: sql`${rollups.count} + excluded.count`,
        up: sql`${rollups.up} + excluded.up`,
        minMs: sql`coalesce(min(${rollups.minMs}, excluded.min_ms), ${rollups.minMs}, excluded.min_ms)`,
        maxMs: sql`coalesce(max(${rollups.maxMs}, excluded.max_ms), ${rollups.maxMs}, excluded.max_ms)`,
        sumMs: sql`${rollups.sumMs} + excluded.sum_ms`,
        hist: sql`(select json_group_array(a.value + b.value order by a.key) from json_each(${rollups.hist}) a join json_each(excluded.hist) b on a.key = b.key)`,
      },
    })
    .prepare()

  const allServerIds = db.select({ id: servers.id }).from(servers).prepare()
  const upOf = db
    .select({
      up: sql<number>`coalesce(sum(${rollups.up}), 0)`,
      count: sql<number>`coalesce(sum(${rollups.count}), 0)`,
    })
    .from(rollups)
    .where(and(eq(rollups.serverId, p('id')), eq(rollups.period, 'hour'), gte(rollups.start, p('from'))))
    .prepare()

  function addTo(into: Aggregate, up: boolean, latencyMs: number | null) {
    into.count++
    if (!up) return
    into.up++
    if (latencyMs === null) return
    into.minMs = into.minMs === null ? latencyMs : Math.min(into.minMs, latencyMs)
    into.maxMs = into.maxMs === null ? latencyMs : Math.max(into.maxMs, latencyMs)
    into.sumMs += latencyMs
    const b = bucketOf(latencyMs)
    into.hist[b] = (into.hist[b] as number) + 1
  }

  const merge = (a: Aggregate, b: Aggregate): Aggregate => ({
    count: a.count + b.count,
    up: a.up + b.up,
    minMs: a.minMs === null ? b.minMs : b.minMs === null ? a.minMs : Math.min(a.minMs, b.minMs),
    maxMs: a.maxMs === null ? b.maxMs : b.maxMs === null ? a.maxMs : Math.max(a.maxMs, b.maxMs),
    sumMs: a.sumMs + b.sumMs,
    hist: a.hist.map((n, i) => n + (b.hist[i] ?? 0)),
  })

  const empty = (): Aggregate => ({
    count: 0,
    up: 0,
    minMs: null,
    maxMs: null,
    sumMs: 0,
    hist: emptyHistogram(),
  })

  function statsOf(agg: Aggregate, source: WindowStats['source'], sorted?: number[]): WindowStats {
    const hasLatency = agg.minMs !== null && agg.maxMs !== null
    const q = (x: number) =>
      !hasLatency
        ? null
        : sorted
          ? sortedQuantile(sorted, x)
          : histogramQuantile(agg.hist, x, agg.minMs as number, agg.maxMs as number)
    return {
      checks: agg.count,
      uptime_ratio: agg.count === 0 ? null : agg.up / agg.count,
      p50_ms: q(0.5),
      p95_ms: q(0.95),
      p99_ms: q(0.99),
      min_ms: agg.minMs,
      max_ms: agg.maxMs,
      source,
    }
  }

  return {
    /**
     * Writes a batch of checks and their hourly and daily rollups in one transaction, in which
     * `saveState` also stores each server's new state; it answers false for a server deleted or changed
     * meanwhile, whose result is then left out of the history too.
     */
    record(results: CheckResult[], saveState: (r: CheckResult) => boolean): string[] {
      const written: string[] = []
      db.transaction(() => {
        const aggregates = new Map<
          string,
          { serverId: string; period: 'hour' | 'day'; start: number; agg: Aggregate }
        >()
        for (const r of results) {
          if (!saveState(r)) continue
          const { outcome } = r
          insertCheck.run({
            serverId: r.serverId,
            checkedAt: r.checkedAt,
            status: outcome.status,
            reason: outcome.reason,
            latencyMs: outcome.latencyMs,
            error: outcome.error,
          })
          written.push(r.serverId)
          for (const [period, size] of [
            ['hour', HOUR],
            ['day', DAY],
          ] as const) {
            const start = r.checkedAt - (r.checkedAt % size)
            const key = `${r.serverId}\u0000${period}\u0000${start}`
            const entry = aggregates.get(key) ?? { serverId: r.serverId, period, start, agg: empty() }
            aggregates.set(key, entry)
            addTo(entry.agg, isUp(outcome.status), outcome.latencyMs)
          }
        }
        for (const { serverId, period, start, agg } of aggregates.values())
          addToRollup.run({ serverId, period, start, ...agg })
      })
      return written
    },

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
      if (windowMs <= rawKeptMs) {
        const rows = db
          .select({ status: checks.status, latencyMs: checks.latencyMs })
          .from(checks)
          .where(and(eq(checks.serverId, serverId), gte(checks.checkedAt, since)))
          .all()
        const agg = empty()
        const latencies: number[] = []
        for (const row of rows) {
          addTo(agg, isUp(row.status), row.latencyMs)
          if (isUp(row.status) && row.latencyMs !== null) latencies.push(row.latencyMs)
        }
        return statsOf(
          agg,
          'raw',
          latencies.sort((a, b) => a - b),
        )
      }
      const period = windowMs <= hourlyKeptMs ? 'hour' : 'day'
      const size = period === 'hour' ? HOUR : DAY
      const rows = db
        .select()
        .from(rollups)
        .where(
          and(
            eq(rollups.serverId, serverId),
            eq(rollups.period, period),
            gte(rollups.start, since - (since % size)),
          ),
        )
        .orderBy(asc(rollups.start))
        .all()
      return statsOf(rows.reduce(merge, empty()), period === 'hour' ? 'hourly' : 'daily')
    },

    /** Uptime ratio per server over the hourly rollups since `since` (servers without checks are absent). */
    uptimeSince(since: number): Map<string, number> {
      // One primary-key range per server: a single GROUP BY would scan every rollup there is.
      const from = since - (since % HOUR)
      const uptimes = new Map<string, number>()
      for (const { id } of allServerIds.all()) {
        const row = upOf.get({ id, from })
        if (row && row.count > 0) uptimes.set(id, row.up / row.count)
      }
      return uptimes
    },

    /**
     * Deletes raw checks and rollups older than their retention, one server and one slice of time per
     * statement, yielding in between so the API never waits long on the database.
     */
    async prune(cutoffs: { raw: number; hourly: number; daily: number }, step = HOUR): Promise<number> {
      let deleted = 0
      const ids = db.select({ id: servers.id }).from(servers).all()
      for (const { id } of ids) {
        const oldest = db
          .select({ at: sql<number | null>`min(${checks.checkedAt})` })
          .from(checks)
          .where(eq(checks.serverId, id))
          .get()?.at
        for (let upto = oldest ?? cutoffs.raw; upto < cutoffs.raw; ) {
          upto = Math.min(cutoffs.raw, upto + step)
          deleted += db
            .delete(checks)
            .where(and(eq(checks.serverId, id), lt(checks.checkedAt, upto)))
            .returning({ at: checks.checkedAt })
            .all().length
          await new Promise((resolve) => setImmediate(resolve))
        }
        for (const [period, cutoff] of [
          ['hour', cutoffs.hourly],
          ['day', cutoffs.daily],
        ] as const) {
          deleted += db
            .delete(rollups)
            .where(and(eq(rollups.serverId, id), eq(rollups.period, period), lt(rollups.start, cutoff)))
            .returning({ start: rollups.start })
            .all().length
        }
        await new Promise((resolve) => setImmediate(resolve))
      }
      return deleted
    },
  }
}
