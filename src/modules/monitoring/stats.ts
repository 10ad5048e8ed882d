import type { CheckStatus } from '../../shared/domain'
import { DAY, HOUR, periodStart } from '../../shared/time'
import { bucketOf, emptyHistogram, histogramQuantile, sortedQuantile } from './latency'
import { isUp } from './status'

/** Counts of a set of checks that add up: what a rollup row holds, and what a window's statistics read. */
export type Aggregate = {
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

export type Period = 'hour' | 'day'
export const periodMs: Record<Period, number> = { hour: HOUR, day: DAY }

export const emptyAggregate = (): Aggregate => ({
  count: 0,
  up: 0,
  minMs: null,
  maxMs: null,
  sumMs: 0,
  hist: emptyHistogram(),
})

/** Counts one check in; only answered checks have a latency that counts. */
export function addTo(into: Aggregate, up: boolean, latencyMs: number | null) {
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

/** Two aggregates as one, as if every check of both had been counted into it. */
export const merge = (a: Aggregate, b: Aggregate): Aggregate => ({
  count: a.count + b.count,
  up: a.up + b.up,
  minMs: a.minMs === null ? b.minMs : b.minMs === null ? a.minMs : Math.min(a.minMs, b.minMs),
  maxMs: a.maxMs === null ? b.maxMs : b.maxMs === null ? a.maxMs : Math.max(a.maxMs, b.maxMs),
  sumMs: a.sumMs + b.sumMs,
  hist: a.hist.map((n, i) => n + (b.hist[i] ?? 0)),
})

/**
 * A window's statistics from its aggregate. With `sorted` (every answered latency, ascending) the
 * percentiles are exact; without, they are interpolated in the aggregate's histogram.
 */
export function statsOf(agg: Aggregate, source: WindowStats['source'], sorted?: number[]): WindowStats {
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

/** Exact statistics of raw checks. */
export function rawStats(rows: { status: CheckStatus; latencyMs: number | null }[]): WindowStats {
  const agg = emptyAggregate()
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

/** Statistics of a window from its rollup rows (percentiles from their summed histograms). */
export const rollupStats = (rows: Aggregate[], period: Period): WindowStats =>
  statsOf(rows.reduce(merge, emptyAggregate()), period === 'hour' ? 'hourly' : 'daily')

/**
 * Where a window's statistics come from: raw rows while every check of the window is still kept, else
 * the finest rollups that still cover it.
 */
export function sourceFor(
  windowMs: number,
  kept: { rawMs: number; hourlyMs: number },
): { raw: true } | { raw: false; period: Period } {
  if (windowMs <= kept.rawMs) return { raw: true }
  return { raw: false, period: windowMs <= kept.hourlyMs ? 'hour' : 'day' }
}

export type RollupDelta = { serverId: string; period: Period; start: number; agg: Aggregate }

/** What a batch of checks adds to the hourly and daily rollups: one aggregate per server, period and start. */
export function rollupDeltas(
  results: { serverId: string; checkedAt: number; status: CheckStatus; latencyMs: number | null }[],
): RollupDelta[] {
  const deltas = new Map<string, RollupDelta>()
  for (const r of results) {
    for (const period of ['hour', 'day'] as const) {
      const start = periodStart(r.checkedAt, periodMs[period])
      const key = `${r.serverId}\u0000${period}\u0000${start}`
      const entry = deltas.get(key) ?? { serverId: r.serverId, period, start, agg: emptyAggregate() }
      deltas.set(key, entry)
      addTo(entry.agg, isUp(r.status), r.latencyMs)
    }
  }
  return [...deltas.values()]
}
