// npm run bench:monitor — the health-check worker at scale, the history database after 30 days, and
// live events fanned out to 1,000 WebSocket clients. Prints figures and the targets beside them.
import { mkdtempSync, statSync } from 'node:fs'
import { createServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from '../src/app'
import { loadConfig } from '../src/config'
import { openDb } from '../src/db/client'
import { migrate } from '../src/db/migrate'
import { checks, rollups } from '../src/db/schema'
import { bucketOf, emptyHistogram } from '../src/modules/monitoring/latency'
import { createServerRepository } from '../src/modules/servers/repository'
import { createServices } from '../src/services'
import { silentLogger } from '../src/shared/logger'
import { createSecretBox, loadSecretKey } from '../src/shared/secrets'
import { authHeader, benchEnv, benchKey, fmt, freePort, memoryOf, quantile, waitUntilUp } from './lib'

const root = join(import.meta.dir, '..')
const dir = mkdtempSync(join(tmpdir(), 'automcp-bench-monitor-'))
const bun = process.execPath
const servers = Number(process.env.BENCH_SERVERS ?? 1000)
const settings = {
  name: 'bench',
  transport: 'auto' as const,
  headers: {},
  intervalS: 3600,
  timeoutMs: null,
  failureThreshold: null,
  successThreshold: null,
  tags: ['bench'],
}

// ---------------------------------------------------------------------------------------------------
// 1. One sweep: half the servers answer MCP, half accept TCP and never answer (5 s timeout).
async function sweep() {
  const farm = Bun.spawn([bun, join(import.meta.dir, 'peers/mcp-farm.ts')], {
    stdout: 'pipe',
    stderr: 'inherit',
  })
  const farmPort = JSON.parse(new TextDecoder().decode((await farm.stdout.getReader().read()).value))
    .port as number
  const held = new Set<Socket>()
  const hole = createServer((s) => {
    held.add(s)
    s.on('error', () => {})
  })
  await new Promise<void>((resolve) => hole.listen(0, '127.0.0.1', resolve))
  const holePort = (hole.address() as { port: number }).port

  const dbPath = join(dir, 'sweep.db')
  const db = openDb(dbPath)
  migrate(db)
  const repo = createServerRepository(db, createSecretBox(loadSecretKey(undefined, dbPath).key))
  for (let i = 0; i < servers; i++) {
    const url =
      i % 2 === 0 ? `http://127.0.0.1:${farmPort}/mcp/${i}` : `http://127.0.0.1:${holePort}/mcp/${i}`
    repo.upsert(`s${i}`, { ...settings, url }, Date.now())
  }
  db.$client.close()

  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const entry = process.env.BENCH_PROFILE
    ? ['--cpu-prof-md', '--cpu-prof-dir', dir, join(import.meta.dir, 'peers/profile-target.ts')]
    : [join(root, 'src/main.ts')]
  const automcp = Bun.spawn([bun, ...entry, '--port', String(port), '--host', '127.0.0.1', '--db', dbPath], {
    env: { ...process.env, ...benchEnv },
    stdout: 'ignore',
    stderr: 'inherit',
  })
  await waitUntilUp(`${base}/health`, 'automcp')
  const started = performance.now()

  // GET /servers in a loop while the sweep runs, then again when it is over. Timed requests read the
  // bytes only; every tenth is also parsed to see whether the sweep is complete.
  const timedList = async () => {
    const t = performance.now()
    const bytes = await (await fetch(`${base}/servers`, { headers: authHeader })).arrayBuffer()
    return { ms: performance.now() - t, bytes }
  }
  const during: number[] = []
  const timeline: [number, number][] = []
  let sweepMs = 0
  const statuses: Record<string, number> = {}
  for (let n = 0; performance.now() - started < 30_000; n++) {
    const { ms, bytes } = await timedList()
    during.push(ms)
    timeline.push([Math.round(performance.now() - started - ms), Math.round(ms)])
    if (n % 10 === 0) {
      const list = JSON.parse(new TextDecoder().decode(bytes)) as {
        last_checked: number | null
        status: string
      }[]
      if (list.every((s) => s.last_checked !== null)) {
        sweepMs = performance.now() - started
        for (const { status } of list) statuses[status] = (statuses[status] ?? 0) + 1
        break
      }
    }
    await Bun.sleep(5)
  }
  if (process.env.BENCH_DEBUG)
    console.log(
      'slowest GETs [started at ms, took ms]:',
      JSON.stringify(timeline.sort((x, y) => y[1] - x[1]).slice(0, 15)),
    )
  const memory = await memoryOf(automcp.pid)
  // Idle: after the black holes' second round (a retry 5 s after a first failure, then its 5 s timeout)
  // has ended too.
  await Bun.sleep(12_000)
  const idle: number[] = []
  for (let i = 0; i < 300; i++) {
    idle.push((await timedList()).ms)
    await Bun.sleep(5)
  }
  const result = {
    sweepMs,
    statuses,
    duringP99: quantile(during, 0.99),
    idleP99: quantile(idle, 0.99),
    samples: during.length,
    memory,
    base,
  }
  return {
    result,
    automcp,
    async stop() {
      automcp.kill('SIGTERM')
      await automcp.exited
      farm.kill()
      for (const s of held) s.destroy()
      hole.close()
    },
  }
}

// ---------------------------------------------------------------------------------------------------
// 2. 1,000 /events clients; a server's status flips; how long until every client has heard of it.
async function events(base: string) {
  const clients = Number(process.env.BENCH_WS_CLIENTS ?? 1000)
  const flip = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch: () => (up ? Response.json({ capabilities: {} }) : new Response('no', { status: 503 })),
  })
  let up = true
  await fetch(`${base}/servers/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeader },
    body: JSON.stringify({
      id: 'flip',
      name: 'Flip',
      url: `http://127.0.0.1:${flip.port}`,
      transport: 'http',
      interval_s: 3600,
    }),
  })
  // The check that follows registration must land before the rounds do, or its change counts in one.
  for (;;) {
    const server = (await (await fetch(`${base}/servers/flip`, { headers: authHeader })).json()) as {
      status: string
    }
    if (server.status !== 'unknown') break
    await Bun.sleep(50)
  }
  const received: number[][] = []
  let round = -1
  let sentAt = 0
  const sockets = await Promise.all(
    Array.from(
      { length: clients },
      () =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(`${base.replace('http', 'ws')}/events?token=${benchKey}`)
          ws.onopen = () => resolve(ws)
          ws.onerror = () => reject(new Error('ws connect failed'))
          ws.onmessage = (e) => {
            const data = String(e.data)
            if (round >= 0 && data.includes('"changed":true') && data.includes('"id":"flip"'))
              received[round]?.push(performance.now() - sentAt)
          }
        }),
    ),
  )
  await Bun.sleep(500)
  const rounds = 5
  for (round = 0; round < rounds; round++) {
    received[round] = []
    up = !up
    sentAt = performance.now()
    await fetch(`${base}/servers/flip/test`, { method: 'POST', headers: authHeader })
    const deadline = performance.now() + 5_000
    while ((received[round]?.length ?? 0) < clients && performance.now() < deadline) await Bun.sleep(5)
  }
  for (const ws of sockets) ws.close()
  flip.stop(true)
  const all = received.flat()
  return {
    clients,
    rounds,
    delivered: all.length,
    p50: quantile(all, 0.5),
    p99: quantile(all, 0.99),
    max: Math.max(...all),
  }
}

// ---------------------------------------------------------------------------------------------------
// 3. 30 days of history for 1,000 servers checked every 30 s, as retention leaves it: 48 h of raw checks
//    and hourly/daily rollups for the rest. Rows are written with the real schema, in bulk.
async function history() {
  const dbPath = join(dir, 'history.db')
  const db = openDb(dbPath)
  migrate(db)
  const repo = createServerRepository(db, createSecretBox(loadSecretKey(undefined, dbPath).key))
  const now = Date.now()
  const HOUR = 3_600_000
  const DAY = 24 * HOUR
  for (let i = 0; i < servers; i++)
    repo.upsert(`s${i}`, { ...settings, url: `http://127.0.0.1:9/${i}` }, now - 31 * DAY)
  const latency = () => 5 + Math.random() * 40 + (Math.random() < 0.01 ? 500 : 0)
  const t0 = performance.now()
  const insertRaw = db.$client.prepare(
    'INSERT INTO checks (server_id, checked_at, status, reason, latency_ms, error) VALUES (?, ?, ?, ?, ?, NULL)',
  )
  const insertRollup = db.$client.prepare(
    'INSERT INTO rollups (server_id, period, start, count, up, min_ms, max_ms, sum_ms, hist) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  )
  const every = 30_000
  for (let i = 0; i < servers; i++) {
    const id = `s${i}`
    db.$client.transaction(() => {
      const days = new Map<
        number,
        { count: number; up: number; min: number; max: number; sum: number; hist: number[] }
      >()
      for (let hour = now - 30 * DAY - (now % HOUR); hour < now; hour += HOUR) {
        const agg = { count: 0, up: 0, min: Number.POSITIVE_INFINITY, max: 0, sum: 0, hist: emptyHistogram() }
        for (let at = hour + (i % 30) * 1000; at < hour + HOUR; at += every) {
          const ok = Math.random() > 0.002
          const ms = ok ? latency() : null
          agg.count++
          if (ms !== null) {
            agg.up++
            agg.min = Math.min(agg.min, ms)
            agg.max = Math.max(agg.max, ms)
            agg.sum += ms
            agg.hist[bucketOf(ms)] = (agg.hist[bucketOf(ms)] as number) + 1
          }
          if (at >= now - 2 * DAY && at < now)
            insertRaw.run(id, at, ok ? 'healthy' : 'unhealthy', ok ? null : 'timeout', ms)
        }
        insertRollup.run(
          id,
          'hour',
          hour,
          agg.count,
          agg.up,
          agg.min,
          agg.max,
          agg.sum,
          JSON.stringify(agg.hist),
        )
        const dayStart = hour - (hour % DAY)
        const d = days.get(dayStart) ?? {
          count: 0,
          up: 0,
          min: Number.POSITIVE_INFINITY,
          max: 0,
          sum: 0,
          hist: emptyHistogram(),
        }
        days.set(dayStart, {
          count: d.count + agg.count,
          up: d.up + agg.up,
          min: Math.min(d.min, agg.min),
          max: Math.max(d.max, agg.max),
          sum: d.sum + agg.sum,
          hist: d.hist.map((n, k) => n + (agg.hist[k] as number)),
        })
      }
      for (const [start, d] of days)
        insertRollup.run(id, 'day', start, d.count, d.up, d.min, d.max, d.sum, JSON.stringify(d.hist))
    })()
  }
  const generateS = (performance.now() - t0) / 1000

  // Retention over it, as the worker runs it: nothing is older than the defaults, so little goes.
  const config = loadConfig([], benchEnv)
  const services = createServices({ db, logger: silentLogger, config })
  const t1 = performance.now()
  await services.history.prune({
    raw: now - config.retainRawMs,
    hourly: now - config.retainHourlyMs,
    daily: now - config.retainDailyMs,
  })
  const pruneS = (performance.now() - t1) / 1000
  db.$client.run('PRAGMA wal_checkpoint(TRUNCATE)')
  const rawRows = db.$client.query('SELECT count(*) AS n FROM checks').get() as { n: number }
  const rollupRows = db.select().from(rollups).all().length
  const sizeMb = statSync(dbPath).size / 1024 / 1024

  const app = createApp({ db, logger: silentLogger, services, config }).listen({
    port: 0,
    hostname: '127.0.0.1',
  })
  const base = `http://127.0.0.1:${app.server?.port}`
  const timeStats = async (window: string) => {
    const times: number[] = []
    for (let k = 0; k < 100; k++) {
      const t = performance.now()
      const res = await fetch(`${base}/servers/s${(k * 7) % servers}/stats?window=${window}`, {
        headers: authHeader,
      })
      await res.json()
      times.push(performance.now() - t)
    }
    return { p50: quantile(times, 0.5), p99: quantile(times, 0.99) }
  }
  await timeStats('1h') // warm-up
  const stats30d = await timeStats('30d')
  const stats24h = await timeStats('24h')
  await app.stop(true)
  // The MCP thread would keep the process alive after the last figure.
  await services.stop()
  db.$client.close()
  void checks
  return { generateS, pruneS, rawRows: rawRows.n, rollupRows, sizeMb, stats30d, stats24h }
}

const a = await sweep()
if (process.env.BENCH_PROFILE) {
  await a.automcp.exited
  await a.stop()
  console.log(`profile in ${dir}`)
  process.exit(0)
}
const ev = await events(a.result.base)
await a.stop()
const h = await history()

const r = a.result
console.log(
  `bench:monitor, ${servers} servers (half answering MCP over streamable HTTP, half black holes, 5 s timeout)`,
)
console.log(
  `sweep            all ${servers} checked in ${fmt(r.sweepMs / 1000, 2)} s (target <= 6 s; the seed's sequential loop: ~${fmt((servers / 2) * 5)} s)   statuses after it: ${JSON.stringify(r.statuses)}`,
)
console.log(
  `GET /servers     p99 ${fmt(r.duringP99, 1)} ms during the sweep vs ${fmt(r.idleP99, 1)} ms idle: ratio ${fmt(r.duringP99 / r.idleP99, 2)} (target <= 2.00; ${r.samples} samples during)`,
)
console.log(
  `memory           RSS ${fmt(r.memory.rssMb)} MB at the end of the sweep, peak ${fmt(r.memory.peakMb)} MB (target <= 150 MB)`,
)
console.log(
  `/events          ${ev.clients} clients x ${ev.rounds} status changes: ${ev.delivered} deliveries, p50 ${fmt(ev.p50, 1)} ms, p99 ${fmt(ev.p99, 1)} ms, max ${fmt(ev.max, 1)} ms (target p99 <= 100 ms)`,
)
console.log(
  `history          30 days x ${servers} servers at 30 s: ${fmt(h.rawRows)} raw checks (48 h) + ${fmt(h.rollupRows)} rollups = ${fmt(h.sizeMb)} MB on disk (target <= 500 MB); generated in ${fmt(h.generateS)} s, retention pass ${fmt(h.pruneS, 1)} s`,
)
console.log(
  `stats            window=30d p50 ${fmt(h.stats30d.p50, 2)} ms p99 ${fmt(h.stats30d.p99, 2)} ms (target <= 20 ms); window=24h p50 ${fmt(h.stats24h.p50, 2)} ms p99 ${fmt(h.stats24h.p99, 2)} ms (target <= 10 ms)`,
)
