import { describe, expect, test } from 'bun:test'
import { DAY, HOUR } from '../../shared/time'
import { bucketOf, LATENCY_BOUNDS } from './latency'
import {
  type Aggregate,
  addTo,
  emptyAggregate,
  merge,
  rawStats,
  rollupDeltas,
  rollupStats,
  sourceFor,
  statsOf,
} from './stats'

const up = (latencyMs: number | null) => ({ status: 'healthy' as const, latencyMs })
const down = { status: 'unhealthy' as const, latencyMs: null }
const aggregateOf = (latencies: number[], failures = 0): Aggregate => {
  const agg = emptyAggregate()
  for (const ms of latencies) addTo(agg, true, ms)
  for (let i = 0; i < failures; i++) addTo(agg, false, null)
  return agg
}

describe('aggregates', () => {
  test('a failed check counts against uptime but adds no latency', () => {
    const agg = aggregateOf([10, 30], 2)
    expect(agg).toMatchObject({ count: 4, up: 2, minMs: 10, maxMs: 30, sumMs: 40 })
    expect(agg.hist.reduce((a, b) => a + b, 0)).toBe(2)
    expect(agg.hist[bucketOf(10)]).toBe(1)
  })

  test('an answered check without a latency counts as up only', () => {
    const agg = emptyAggregate()
    addTo(agg, true, null)
    expect(agg).toMatchObject({ count: 1, up: 1, minMs: null, maxMs: null, sumMs: 0 })
  })

  test('merging is the same as counting every check into one aggregate', () => {
    const a = aggregateOf([5, 700], 1)
    const b = aggregateOf([2, 40, 9_000])
    expect(merge(a, b)).toEqual(aggregateOf([5, 700, 2, 40, 9_000], 1))
    // An aggregate without latencies leaves min and max to the other.
    expect(merge(emptyAggregate(), b)).toMatchObject({ minMs: 2, maxMs: 9_000 })
    expect(merge(a, aggregateOf([], 3))).toMatchObject({ minMs: 5, maxMs: 700, count: 6 })
  })
})

describe('window statistics', () => {
  test('raw percentiles are exact, by nearest rank, over answered checks only', () => {
    const rows = [...Array.from({ length: 100 }, (_, i) => up(100 - i)), down, down]
    const s = rawStats(rows)
    expect(s).toEqual({
      checks: 102,
      uptime_ratio: 100 / 102,
      p50_ms: 50,
      p95_ms: 95,
      p99_ms: 99,
      min_ms: 1,
      max_ms: 100,
      source: 'raw',
    })
  })

  test('a single answered check is every percentile', () => {
    expect(rawStats([up(42), down])).toMatchObject({ p50_ms: 42, p99_ms: 42, uptime_ratio: 0.5 })
  })

  test('no checks: no ratio and no percentiles, not zeros', () => {
    expect(statsOf(emptyAggregate(), 'hourly')).toEqual({
      checks: 0,
      uptime_ratio: null,
      p50_ms: null,
      p95_ms: null,
      p99_ms: null,
      min_ms: null,
      max_ms: null,
      source: 'hourly',
    })
    // Only failures: a ratio of 0, still no latency.
    expect(rawStats([down, down])).toMatchObject({ checks: 2, uptime_ratio: 0, p50_ms: null })
  })

  test('rollup percentiles are interpolated in their bucket and kept within min and max', () => {
    // 90 fast checks (in the bucket up to 10 ms) and 10 slow ones (one bucket up to 750 ms).
    const hourA = aggregateOf(Array.from({ length: 90 }, () => 8))
    const hourB = aggregateOf(Array.from({ length: 10 }, () => 600))
    const s = rollupStats([hourA, hourB], 'hour')
    expect(s.source).toBe('hourly')
    expect(s.checks).toBe(100)
    expect(s.min_ms).toBe(8)
    expect(s.max_ms).toBe(600)
    // The median lies among the fast ones: between the bucket's lower bound (7.5) and its upper (10).
    expect(s.p50_ms).toBeGreaterThanOrEqual(8)
    expect(s.p50_ms).toBeLessThanOrEqual(10)
    // p95 and p99 lie among the slow ones, capped at the slowest seen rather than the bucket's 750.
    expect(s.p95_ms).toBeGreaterThan(LATENCY_BOUNDS[bucketOf(600) - 1] as number)
    expect(s.p95_ms).toBeLessThanOrEqual(600)
    expect(s.p99_ms).toBeGreaterThan(s.p95_ms as number)
    expect(s.p99_ms).toBeLessThanOrEqual(600)
    expect(rollupStats([hourA], 'day').source).toBe('daily')
  })
})

describe('where a window is read from', () => {
  const kept = { rawMs: 48 * HOUR, hourlyMs: 90 * DAY }
  test('raw rows up to their retention, then hourly rollups, then daily ones', () => {
    expect(sourceFor(HOUR, kept)).toEqual({ raw: true })
    expect(sourceFor(48 * HOUR, kept)).toEqual({ raw: true })
    expect(sourceFor(48 * HOUR + 1, kept)).toEqual({ raw: false, period: 'hour' })
    expect(sourceFor(90 * DAY, kept)).toEqual({ raw: false, period: 'hour' })
    expect(sourceFor(90 * DAY + 1, kept)).toEqual({ raw: false, period: 'day' })
  })
})

describe('rollup deltas of a batch', () => {
  const at = Date.UTC(2026, 0, 31, 12)
  test('one delta per server, period and start; a batch across an hour adds to two hours, one day', () => {
    const deltas = rollupDeltas([
      { serverId: 'a', checkedAt: at + 10, status: 'healthy', latencyMs: 5 },
      { serverId: 'a', checkedAt: at + HOUR - 1, status: 'unhealthy', latencyMs: null },
      { serverId: 'a', checkedAt: at + HOUR, status: 'degraded', latencyMs: 900 },
      { serverId: 'b', checkedAt: at + 20, status: 'healthy', latencyMs: 7 },
    ])
    const summary = deltas.map((d) => [d.serverId, d.period, d.start, d.agg.count, d.agg.up])
    expect(summary).toEqual([
      ['a', 'hour', at, 2, 1],
      ['a', 'day', Date.UTC(2026, 0, 31), 3, 2],
      ['a', 'hour', at + HOUR, 1, 1],
      ['b', 'hour', at, 1, 1],
      ['b', 'day', Date.UTC(2026, 0, 31), 1, 1],
    ])
    // A degraded check answered: it counts as up, and its latency counts.
    expect(deltas[2]?.agg).toMatchObject({ minMs: 900, maxMs: 900, sumMs: 900 })
  })
})
