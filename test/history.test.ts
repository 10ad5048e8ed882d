import { describe, expect, test } from 'bun:test'
import { randomBytes } from 'node:crypto'
import { checks, rollups, toolCalls } from '../src/db/schema'
import { type CheckResult, createHistoryRepository } from '../src/modules/monitoring/history.repository'
import { histogramQuantile, LATENCY_BOUNDS } from '../src/modules/monitoring/latency'
import { createServerRepository, type ServerSettings } from '../src/modules/servers/repository'
import { createSecretBox } from '../src/shared/secrets'
import { freshDb, json, startApp } from './helpers/app'

const HOUR = 3_600_000
const DAY = 24 * HOUR
// A fixed "now" on an hour boundary, so the rollup buckets of the sequence below are known.
const NOW = Date.UTC(2026, 0, 31, 12)

function setup() {
  const db = freshDb()
  const repo = createServerRepository(db, createSecretBox(randomBytes(32)))
  const history = createHistoryRepository(db)
  const settings: ServerSettings = {
    name: 'S',
    url: 'http://s.test',
    transport: 'http',
    headers: {},
    intervalS: null,
    timeoutMs: null,
    failureThreshold: null,
    successThreshold: null,
    tags: [],
  }
  repo.upsert('s', settings, NOW - 40 * DAY)
  const save = (r: CheckResult) =>
    repo.saveCheckState(r.serverId, {
      generation: r.generation,
      status: r.status,
      reason: r.reason,
      latencyMs: r.outcome.latencyMs,
      checkedAt: r.checkedAt,
    })
  const record = (
    items: { at: number; up: boolean; ms: number | null }[],
    generation = repo.get('s')?.generation ?? 0,
  ) =>
    history.record(
      items.map(({ at, up, ms }) => ({
        serverId: 's',
        generation,
        checkedAt: at,
        status: up ? 'healthy' : 'unhealthy',
        reason: up ? null : 'timeout',
        outcome: {
          status: up ? 'healthy' : 'unhealthy',
          reason: up ? null : 'timeout',
          latencyMs: ms,
          error: up ? null : 'timed out',
        },
      })),
      save,
    )
  return { db, repo, history, record, settings }
}

describe('history, rollups and stats for a known sequence', () => {
  // The last hour: 10 checks, one a minute apart; latencies 10..90 ms, the 10th a timeout.
  const lastHour = Array.from({ length: 10 }, (_, i) => ({
    at: NOW - (10 - i) * 60_000,
    up: i < 9,
    ms: i < 9 ? (i + 1) * 10 : null,
  }))

  test('raw windows are exact', () => {
    const { history, record } = setup()
    record(lastHour)
    const s = history.stats('s', HOUR, NOW, 48 * HOUR, 90 * DAY)
    expect(s).toEqual({
      checks: 10,
      uptime_ratio: 0.9,
      p50_ms: 50,
      p95_ms: 90,
      p99_ms: 90,
      min_ms: 10,
      max_ms: 90,
      source: 'raw',
    })
  })

  test('every check lands in its hourly and daily rollup', () => {
    const { db, record } = setup()
    record(lastHour)
    record([{ at: NOW - 3 * DAY, up: true, ms: 5 }])
    const rows = db.select().from(rollups).all()
    const hour = rows.find((r) => r.period === 'hour' && r.start === NOW - HOUR)
    expect(hour).toMatchObject({ count: 10, up: 9, minMs: 10, maxMs: 90, sumMs: 450 })
    expect(hour?.hist.reduce((a, b) => a + b, 0)).toBe(9)
    const day = rows.find((r) => r.period === 'day' && r.start === NOW - 12 * HOUR)
    expect(day).toMatchObject({ count: 10, up: 9 })
    expect(rows.filter((r) => r.period === 'day')).toHaveLength(2)
    // Written in later batches, the same hour adds up: each batch can move the maximum or the minimum.
    const lastHourRollup = () =>
      db
        .select()
        .from(rollups)
        .all()
        .find((r) => r.period === 'hour' && r.start === NOW - HOUR)
    record([{ at: NOW - 30_000, up: true, ms: 1000 }])
    expect(lastHourRollup()).toMatchObject({ count: 11, up: 10, minMs: 10, maxMs: 1000, sumMs: 1450 })
    record([{ at: NOW - 20_000, up: true, ms: 3 }])
    expect(lastHourRollup()).toMatchObject({ count: 12, up: 11, minMs: 3, maxMs: 1000, sumMs: 1453 })
  })

  test('long windows come from rollups with percentiles inside the right histogram bucket', () => {
    const { history, record } = setup()
    // One check a day for 7 days at 100 ms, and 3 in the last day at 1, 2 and 400 ms.
    record(Array.from({ length: 7 }, (_, i) => ({ at: NOW - (i + 2) * DAY + 1_000, up: true, ms: 100 })))
    record([
      { at: NOW - 3 * HOUR, up: true, ms: 1 },
      { at: NOW - 2 * HOUR, up: true, ms: 2 },
      { at: NOW - HOUR + 5, up: true, ms: 400 },
      { at: NOW - HOUR + 10, up: false, ms: null },
    ])
    const s = history.stats('s', 30 * DAY, NOW, 48 * HOUR, 90 * DAY)
    expect(s.source).toBe('hourly')
    expect(s.checks).toBe(11)
    expect(s.uptime_ratio).toBeCloseTo(10 / 11)
    expect(s.min_ms).toBe(1)
    expect(s.max_ms).toBe(400)
    // 10 latencies: 1, 2, 100 x7, 400 → the median lies in the bucket holding 100 ms (75, 100].
    expect(s.p50_ms as number).toBeGreaterThan(75)
    expect(s.p50_ms as number).toBeLessThanOrEqual(100)
    expect(s.p99_ms as number).toBeGreaterThan(300)
    expect(s.p99_ms as number).toBeLessThanOrEqual(400)
    const week = history.stats('s', 7 * DAY, NOW, 48 * HOUR, 90 * DAY)
    expect(week.checks).toBe(6 + 4) // the daily checks of days 2-7 back, plus the last day's 4
    const year = history.stats('s', 365 * DAY, NOW, 48 * HOUR, 90 * DAY)
    expect(year).toMatchObject({ source: 'daily', checks: 11 })
  })

  test('the histogram quantile stays within the observed range', () => {
    const hist = LATENCY_BOUNDS.map(() => 0)
    hist[0] = 1
    expect(histogramQuantile(hist, 0.5, 0.4, 0.4)).toBe(0.4)
    expect(
      histogramQuantile(
        LATENCY_BOUNDS.map(() => 0),
        0.5,
        0,
        0,
      ),
    ).toBeNaN()
  })

  test('uptime over 24 h per server', () => {
    const { history, record } = setup()
    record(lastHour)
    expect(history.uptimeSince(NOW - DAY).get('s')).toBeCloseTo(0.9)
    expect(history.uptimeSince(NOW - DAY).has('other')).toBe(false)
  })
})

describe('recording a batch', () => {
  test('a batch that fails part-way leaves nothing of itself: no check, no rollup, no server state', () => {
    const { db, repo, record } = setup()
    record([{ at: NOW - 2 * HOUR, up: true, ms: 7 }])
    const before = { checks: db.select().from(checks).all(), rollups: db.select().from(rollups).all() }
    // The second check has no time, which the checks table refuses (NOT NULL): the batch fails there,
    // after the first check and its server's state were written.
    expect(() =>
      record([
        { at: NOW - 60_000, up: false, ms: null },
        { at: null as unknown as number, up: true, ms: 5 },
      ]),
    ).toThrow(/NOT NULL/)
    expect(db.select().from(checks).all()).toEqual(before.checks)
    expect(db.select().from(rollups).all()).toEqual(before.rollups)
    expect(repo.get('s')).toMatchObject({ status: 'healthy', lastCheckedAt: NOW - 2 * HOUR })
  })

  test('a result of an earlier registration of the server is written nowhere', () => {
    const { db, repo, record, settings } = setup()
    const first = repo.get('s')?.generation as number
    repo.patch('s', { url: 'http://t.test' }, NOW)
    expect(record([{ at: NOW - 60_000, up: true, ms: 5 }], first)).toEqual([])
    repo.remove('s')
    repo.upsert('s', settings, NOW)
    const second = repo.get('s')?.generation as number
    expect(second).not.toBe(first)
    expect(record([{ at: NOW - 50_000, up: true, ms: 5 }], first)).toEqual([])
    expect(db.select().from(checks).all()).toEqual([])
    expect(db.select().from(rollups).all()).toEqual([])
    expect(repo.get('s')).toMatchObject({ status: 'unknown', lastCheckedAt: null })
    expect(record([{ at: NOW - 40_000, up: true, ms: 5 }])).toEqual(['s'])
    expect(repo.get('s')).toMatchObject({ status: 'healthy', lastCheckedAt: NOW - 40_000 })
  })
})

describe('retention', () => {
  test('deletes raw checks and rollups past their retention, in slices, and keeps the rest', async () => {
    const { db, history, record } = setup()
    const old = Array.from({ length: 100 }, (_, i) => ({ at: NOW - 10 * DAY + i * 60_000, up: true, ms: 5 }))
    const recent = Array.from({ length: 5 }, (_, i) => ({ at: NOW - (i + 1) * 60_000, up: true, ms: 5 }))
    record([...old, ...recent])
    record([{ at: NOW - 100 * DAY, up: true, ms: 1 }])
    const deleted = await history.prune(
      { raw: NOW - 2 * DAY, hourly: NOW - 90 * DAY, daily: NOW - 730 * DAY },
      HOUR,
    )
    const left = db.select().from(checks).all()
    expect(left.map((c) => c.checkedAt).sort()).toEqual(recent.map((r) => r.at).sort())
    const hourly = db
      .select()
      .from(rollups)
      .all()
      .filter((r) => r.period === 'hour')
    expect(hourly.every((r) => r.start >= NOW - 90 * DAY)).toBe(true)
    const daily = db
      .select()
      .from(rollups)
      .all()
      .filter((r) => r.period === 'day')
    expect(daily.some((r) => r.start < NOW - 90 * DAY)).toBe(true) // the 100-day-old day is kept
    expect(deleted).toBe(101 + 1) // raw rows plus the 100-day-old hour
  })

  test('the retention job keeps raw checks, hourly and daily rollups and tool calls each as configured', async () => {
    const api = await startApp({
      now: () => NOW,
      config: { retainRawMs: 2 * DAY, retainHourlyMs: 30 * DAY, retainDailyMs: 365 * DAY },
    })
    await api.post('/servers/register', { id: 's', name: 'S', url: 'http://s.test', transport: 'http' })
    // One check and one tool call at each age: inside every retention, then past raw, hourly and daily.
    const ages = [DAY, 3 * DAY, 40 * DAY, 400 * DAY]
    api.services.history.record(
      ages.map((age) => ({
        serverId: 's',
        generation: 0,
        checkedAt: NOW - age,
        outcome: { status: 'healthy', reason: null, latencyMs: 5, error: null },
        status: 'healthy',
        reason: null,
      })),
      () => true,
    )
    for (const age of ages)
      api.services.toolCalls.record({
        serverId: 's',
        tool: 'echo',
        source: 'chat',
        ok: true,
        latencyMs: 5,
        error: null,
        calledAt: NOW - age,
      })
    await api.services.monitor.prune()
    // How many whole days old each row left is (a daily rollup starts at midnight, half a day earlier).
    const daysOld = (times: number[]) => times.map((t) => Math.floor((NOW - t) / DAY)).sort((a, b) => a - b)
    const raw = api.db.select().from(checks).all()
    const rolled = api.db.select().from(rollups).all()
    const calls = api.db.select().from(toolCalls).all()
    expect(daysOld(raw.map((c) => c.checkedAt))).toEqual([1])
    expect(daysOld(rolled.filter((r) => r.period === 'hour').map((r) => r.start))).toEqual([1, 3])
    expect(daysOld(rolled.filter((r) => r.period === 'day').map((r) => r.start))).toEqual([1, 3, 40])
    expect(daysOld(calls.map((c) => c.calledAt))).toEqual([1, 3, 40])
    await api.stop()
  })
})

describe('history and stats over HTTP', () => {
  test('uptime_24h counts the checks of the last 24 hours, and none before', async () => {
    let clock = NOW
    const api = await startApp({ now: () => clock })
    await api.post('/servers/register', { id: 'u', name: 'U', url: 'http://u.test', transport: 'http' })
    // Up for the last day; down just before it, and again three days ago.
    const checksAt = [
      { age: HOUR, up: true },
      { age: 23 * HOUR, up: true },
      { age: 26 * HOUR, up: false },
      { age: 3 * DAY, up: false },
    ]
    api.services.history.record(
      checksAt.map(({ age, up }) => ({
        serverId: 'u',
        generation: 0,
        checkedAt: NOW - age,
        outcome: {
          status: up ? 'healthy' : 'unhealthy',
          reason: up ? null : 'timeout',
          latencyMs: up ? 5 : null,
          error: null,
        },
        status: up ? 'healthy' : 'unhealthy',
        reason: up ? null : 'timeout',
      })),
      () => true,
    )
    clock += 60_001 // past the minute for which the registry keeps the uptimes it computed
    expect((await api.getJson('/servers/u')).uptime_24h).toBe(1)
    await api.stop()
  })

  test('pages newest first with a cursor, filters by time, and answers stats per window', async () => {
    let clock = NOW - 30 * 60_000
    const api = await startApp({ now: () => clock })
    const plain = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      fetch: () => Response.json({ capabilities: {} }),
    })
    await api.post('/servers/register', {
      id: 'p',
      name: 'P',
      url: `http://127.0.0.1:${plain.port}`,
      transport: 'http',
    })
    for (let i = 0; i < 5; i++) {
      await api.request('/servers/p/test', { method: 'POST' })
      clock += 60_000
    }
    const first = await api.getJson('/servers/p/history?limit=2')
    expect(first.data.map((c: { checked_at: number }) => c.checked_at)).toEqual([
      (NOW - 26 * 60_000) / 1000,
      (NOW - 27 * 60_000) / 1000,
    ])
    expect(first.data[0]).toMatchObject({ status: 'healthy', reason: null, error: null })
    const second = await api.getJson(`/servers/p/history?limit=2&cursor=${first.next_cursor}`)
    expect(second.data.map((c: { checked_at: number }) => c.checked_at)).toEqual([
      (NOW - 28 * 60_000) / 1000,
      (NOW - 29 * 60_000) / 1000,
    ])
    const last = await api.getJson(`/servers/p/history?limit=2&cursor=${second.next_cursor}`)
    expect(last.data).toHaveLength(1)
    expect(last.next_cursor).toBeNull()
    const ranged = await api.getJson(
      `/servers/p/history?from=${(NOW - 28 * 60_000) / 1000}&to=${(NOW - 27 * 60_000) / 1000}`,
    )
    expect(ranged.data).toHaveLength(2)

    const stats = await api.getJson('/servers/p/stats?window=1h')
    expect(stats).toMatchObject({ window: '1h', checks: 5, uptime_ratio: 1, source: 'raw' })
    expect(stats.p50_ms).toBeGreaterThan(0)
    expect(await api.getJson('/servers/p/stats')).toMatchObject({ window: '24h', checks: 5 })
    expect(await api.getJson('/servers/p/stats?window=30d')).toMatchObject({
      window: '30d',
      checks: 5,
      source: 'hourly',
    })
    expect((await api.request('/servers/p/stats?window=2h')).status).toBe(422)
    expect((await api.request('/servers/nope/stats')).status).toBe(404)
    expect((await api.request('/servers/p/history?limit=0')).status).toBe(422)
    // Not a 500 from SQLite's LIMIT.
    expect((await api.request('/servers/p/history?limit=1.5')).status).toBe(422)
    expect((await api.request('/servers/p/history?cursor=abc')).status).toBe(422)
    expect((await json(await api.request('/servers/nope/history'))).code).toBe('server_not_found')
    plain.stop(true)
    await api.stop()
  })
})
