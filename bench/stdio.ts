// npm run bench:stdio — 50 stdio MCP servers (the real @modelcontextprotocol/server-memory) started and
// supervised by AutoMCP, against the same 50 servers each behind its own supergateway bridge (stdio →
// streamable HTTP) registered by URL, in the same run: the time until all are healthy, and AutoMCP's own
// memory and CPU while idle with checks running, besides the memory of the children or bridges.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Subprocess } from 'bun'
import { authHeader, fmt, freePort, startAutomcp, waitUntilUp } from './lib'
import { cpuBelowS, descendantsOf, memoryMb, procStat, type Seen, seen, stillRunning, totalMb } from './proc'

const root = join(import.meta.dir, '..')
const count = Number(process.env.BENCH_STDIO_SERVERS ?? 50)
const intervalS = Number(process.env.BENCH_INTERVAL ?? 5)
const idleS = Number(process.env.BENCH_IDLE_SECONDS ?? 30)
// Each server's check timeout (`timeout_ms`); unset, AutoMCP's default (5 s).
const timeoutMs = process.env.BENCH_TIMEOUT_MS ? Number(process.env.BENCH_TIMEOUT_MS) : null
const memoryServer = join(root, 'node_modules/@modelcontextprotocol/server-memory/dist/index.js')
const supergateway = join(root, 'node_modules/.bin/supergateway')
const dir = mkdtempSync(join(tmpdir(), 'automcp-bench-stdio-'))
const memoryFile = (kind: string, i: number) => join(dir, `${kind}-${i}.jsonl`)

// Everything this run starts, so that it is all ended however the run ends.
const started: Subprocess[] = []
const grandchildren: Seen[] = []

type Phase = {
  /** From the first registration until every server has answered a check (healthy, or degraded: slow). */
  upMs: number
  /** … and until every server is healthy. */
  healthyMs: number
  automcp: { rssMb: number; cpuPct: number }
  /** The processes beside AutoMCP that serve the 50 servers: its children, or the bridges and theirs. */
  others: { processes: number; rssMb: number; pssMb: number; cpuPct: number; nice: number[] }
  automcpPssMb: number
  /** Checks until all were healthy, by what they saw; children started again meanwhile (stdio only). */
  startup: { checks: Record<string, number>; restarts: number; statuses: Record<string, number> }
  /** Checks made in the idle window, and the servers' statuses at its end. */
  checks: number
  atEnd: Record<string, number>
}

const post = (base: string, path: string, body: unknown) =>
  fetch(base + path, {
    method: 'POST',
    headers: { ...authHeader, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

type Listed = { status: string; latency_ms: number | null; process: { restarts: number } | null }

async function statuses(base: string) {
  const list = (await (await fetch(`${base}/servers`, { headers: authHeader })).json()) as Listed[]
  const by: Record<string, number> = {}
  for (const { status } of list) by[status] = (by[status] ?? 0) + 1
  const restarts = list.reduce((n, s) => n + (s.process?.restarts ?? 0), 0)
  const latencies = list.flatMap((s) => (s.latency_ms === null ? [] : [s.latency_ms]))
  return { by, restarts, latencies }
}

/** The checks AutoMCP has made so far by what they saw (the reason, else the status), from /metrics. */
async function checksSoFar(base: string) {
  const text = await (await fetch(`${base}/metrics`, { headers: authHeader })).text()
  const by: Record<string, number> = {}
  for (const [, labels = '', n] of text.matchAll(/^automcp_checks_total\{([^}]*)\} (\d+)$/gm)) {
    const what = /reason="([^"]+)"/.exec(labels)?.[1] ?? /status="([^"]+)"/.exec(labels)?.[1] ?? '?'
    by[what] = (by[what] ?? 0) + Number(n)
  }
  return by
}
const sum = (by: Record<string, number>) => Object.values(by).reduce((a, b) => a + b, 0)

const healthyWithinMs = Number(process.env.BENCH_HEALTHY_WITHIN_S ?? 180) * 1000

/**
 * When every server had answered a check (healthy or degraded), and when all were healthy, after `t0`
 * (NaN when that did not happen within `healthyWithinMs`); the status counts at that point.
 */
async function untilHealthy(base: string, t0: number) {
  let upMs = Number.NaN
  let last = ''
  for (;;) {
    const { by, restarts, latencies } = await statuses(base)
    const now = performance.now() - t0
    const seen = JSON.stringify(by)
    if (process.env.BENCH_DEBUG && seen !== last)
      console.error(
        `${fmt(now / 1000, 2)} s ${seen}, ${restarts} restarts, latencies ${latencies.length ? `${fmt(Math.min(...latencies))}-${fmt(Math.max(...latencies))} ms` : '-'}`,
      )
    last = seen
    if (Number.isNaN(upMs) && (by.healthy ?? 0) + (by.degraded ?? 0) === count) upMs = now
    if (by.healthy === count) return { upMs, healthyMs: now, restarts, by }
    if (now > healthyWithinMs) return { upMs, healthyMs: Number.NaN, restarts, by }
    await Bun.sleep(50)
  }
}

/** The processes beside AutoMCP that serve the servers, and the CPU seconds they have used so far. */
type Others = (automcpPid: number) => { pids: number[]; cpuS: number }

/**
 * Registers the servers with a fresh AutoMCP, waits until all are healthy, lets it settle for one
 * interval, then watches it idle for `idleS` seconds. `others` reads the processes serving the servers.
 */
async function measure(bodies: object[], others: Others): Promise<Phase> {
  const {
    proc,
    base,
    dir: dbDir,
  } = await startAutomcp({
    AUTOMCP_STDIO: 'on',
    AUTOMCP_MAX_STDIO: String(count),
  })
  started.push(proc)
  try {
    const t0 = performance.now()
    for (const body of bodies) {
      const res = await post(base, '/servers/register', {
        ...body,
        interval_s: intervalS,
        timeout_ms: timeoutMs,
      })
      if (res.status !== 201) throw new Error(`register: ${res.status} ${await res.text()}`)
    }
    const { upMs, healthyMs, restarts, by: atStart } = await untilHealthy(base, t0)
    const startup = { checks: await checksSoFar(base), restarts, statuses: atStart }
    await Bun.sleep(intervalS * 1000)

    const cpu0 = procStat(proc.pid)?.cpuS ?? 0
    const othersCpu0 = others(proc.pid).cpuS
    const checks0 = sum(await checksSoFar(base))
    const t1 = performance.now()
    const rss: number[] = []
    while (performance.now() - t1 < idleS * 1000) {
      await Bun.sleep(1000)
      rss.push(memoryMb(proc.pid).rss)
    }
    const wallS = (performance.now() - t1) / 1000
    const cpuPct = (((procStat(proc.pid)?.cpuS ?? 0) - cpu0) / wallS) * 100
    const serving = others(proc.pid)
    const othersCpuPct = ((serving.cpuS - othersCpu0) / wallS) * 100
    const checks = sum(await checksSoFar(base)) - checks0
    const { by: atEnd } = await statuses(base)
    const mem = totalMb(serving.pids)
    grandchildren.push(...seen(descendantsOf(proc.pid)))
    return {
      upMs,
      healthyMs,
      automcp: { rssMb: rss.reduce((a, b) => a + b, 0) / rss.length, cpuPct },
      automcpPssMb: memoryMb(proc.pid).pss,
      others: {
        processes: serving.pids.length,
        rssMb: mem.rss,
        pssMb: mem.pss,
        cpuPct: othersCpuPct,
        nice: serving.pids.flatMap((pid) => procStat(pid)?.nice ?? []),
      },
      startup,
      checks,
      atEnd,
    }
  } finally {
    await stop(proc, 20_000)
    rmSync(dbDir, { recursive: true, force: true })
  }
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
async function stop(proc: Subprocess, graceMs: number) {
  if (proc.exitCode !== null || proc.signalCode !== null) return
  proc.kill('SIGTERM')
  const exited = await Promise.race([proc.exited.then(() => true), Bun.sleep(graceMs).then(() => false)])
  if (!exited) {
    proc.kill('SIGKILL')
    await proc.exited
  }
}

/** Ends whatever is still running of what the run started; returns how many had to be ended here. */
async function endAll(): Promise<number> {
  await Promise.all(started.map((proc) => stop(proc, 10_000)))
  // Children that outlived their parent (none should): by pid, only if it is still the same process.
  const left = stillRunning(grandchildren)
  for (const { pid } of left) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {}
  }
  return left.length
}

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    void endAll().finally(() => process.exit(130))
  })

async function stdioPhase() {
  const bodies = Array.from({ length: count }, (_, i) => ({
    id: `memory-${i}`,
    name: `Memory ${i}`,
    transport: 'stdio',
    command: 'node',
    args: [memoryServer],
    env: { MEMORY_FILE_PATH: memoryFile('stdio', i) },
  }))
  return measure(bodies, (automcp) => ({ pids: descendantsOf(automcp), cpuS: cpuBelowS(automcp) }))
}

/**
 * The bridges: one supergateway each, stateful streamable HTTP (stateless mode starts a new server
 * process for every request, so every check would start Node), started and listening before AutoMCP
 * is given their URLs.
 */
async function bridgePhase() {
  const t = performance.now()
  const ports: number[] = []
  for (let i = 0; i < count; i++) {
    // A port is free until its bridge listens: never hand the same one out twice.
    let port = await freePort()
    while (ports.includes(port)) port = await freePort()
    ports.push(port)
    const bridge = Bun.spawn(
      [
        supergateway,
        ...['--stdio', `node ${memoryServer}`, '--port', String(port)],
        ...['--outputTransport', 'streamableHttp', '--stateful', '--logLevel', 'none'],
        ...['--healthEndpoint', '/healthz'],
      ],
      {
        env: { ...process.env, MEMORY_FILE_PATH: memoryFile('bridge', i) },
        stdout: 'ignore',
        stderr: 'inherit',
      },
    )
    started.push(bridge)
  }
  await Promise.all(
    ports.map((port) => waitUntilUp(`http://127.0.0.1:${port}/healthz`, 'supergateway', 180_000)),
  )
  const listeningMs = performance.now() - t
  const bridges = started.slice(-count)
  // Another program may have taken a port meanwhile: then that bridge failed and another one answered.
  if (bridges.some((bridge) => bridge.exitCode !== null)) throw new Error('a supergateway bridge exited')
  const bodies = ports.map((port, i) => ({
    id: `bridge-${i}`,
    name: `Bridge ${i}`,
    url: `http://127.0.0.1:${port}/mcp`,
    transport: 'streamable-http',
  }))
  const phase = await measure(bodies, () => {
    const pids = bridges.flatMap((bridge) => [bridge.pid, ...descendantsOf(bridge.pid)])
    grandchildren.push(...seen(pids))
    const cpuS = bridges.reduce((n, b) => n + (procStat(b.pid)?.cpuS ?? 0) + cpuBelowS(b.pid), 0)
    return { pids, cpuS }
  })
  return { ...phase, listeningMs }
}

let leftovers = -1
let stdio: Phase
let bridged: Phase & { listeningMs: number }
try {
  stdio = await stdioPhase()
  bridged = await bridgePhase()
} finally {
  leftovers = await endAll()
  rmSync(dir, { recursive: true, force: true })
}

const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? fmt(a / b, 2) : '-')
const secs = (ms: number, p: Phase) =>
  Number.isNaN(ms)
    ? `not within ${healthyWithinMs / 1000} s (${JSON.stringify(p.startup.statuses)})`
    : `${fmt(ms / 1000, 2)} s`
const checksSeen = (p: Phase) =>
  `${sum(p.startup.checks)} checks (${Object.entries(p.startup.checks)
    .map(([what, n]) => `${what} ${n}`)
    .join(', ')})`
const niceOf = (p: Phase) => [...new Set(p.others.nice)].join('/')
const totalRss = (p: Phase) => p.automcp.rssMb + p.others.rssMb
const totalPss = (p: Phase) => p.automcpPssMb + p.others.pssMb
const s = stdio
const b = bridged
const lines = [
  `bench:stdio, ${count} server-memory servers, checked every ${intervalS} s (timeout ${timeoutMs === null ? "AutoMCP's default" : `${fmt(timeoutMs)} ms`}), idle window ${idleS} s; stdio (AutoMCP's children) vs supergateway (one bridge each, stateful streamable HTTP)`,
  `all answered     stdio ${secs(s.upMs, s)} vs supergateway ${secs(b.upMs, b)} after the first registration: ratio ${ratio(s.upMs, b.upMs)} (healthy, or degraded: a first check slower than 1 s)`,
  `all healthy      stdio ${secs(s.healthyMs, s)} vs supergateway ${secs(b.healthyMs, b)}: ratio ${ratio(s.healthyMs, b.healthyMs)} ` +
    `(the bridges took ${fmt(b.listeningMs / 1000, 2)} s to listen before that: ${fmt((b.listeningMs + b.healthyMs) / 1000, 2)} s in all, ratio ${ratio(s.healthyMs, b.listeningMs + b.healthyMs)})`,
  `until then       stdio ${checksSeen(s)}, ${s.startup.restarts} children started again; supergateway ${checksSeen(b)}`,
  `AutoMCP RSS      stdio ${fmt(s.automcp.rssMb)} MB vs supergateway ${fmt(b.automcp.rssMb)} MB: ratio ${ratio(s.automcp.rssMb, b.automcp.rssMb)} (mean over the idle window; AutoMCP's process only)`,
  `AutoMCP CPU      stdio ${fmt(s.automcp.cpuPct, 2)}% vs supergateway ${fmt(b.automcp.cpuPct, 2)}% of a core: ratio ${ratio(s.automcp.cpuPct, b.automcp.cpuPct)} (${s.checks} and ${b.checks} checks in the window)`,
  `children         stdio ${s.others.processes} processes (nice ${niceOf(s)}) ${fmt(s.others.rssMb)} MB RSS, ${fmt(s.others.cpuPct, 2)}% CPU vs supergateway's bridges and theirs ${b.others.processes} processes (nice ${niceOf(b)}) ${fmt(b.others.rssMb)} MB RSS, ${fmt(b.others.cpuPct, 2)}% CPU`,
  `total RSS        stdio ${fmt(totalRss(s))} MB vs supergateway ${fmt(totalRss(b))} MB: ratio ${ratio(totalRss(s), totalRss(b))}; ` +
    `PSS (shared pages counted once) ${fmt(totalPss(s))} MB vs ${fmt(totalPss(b))} MB: ratio ${ratio(totalPss(s), totalPss(b))}`,
]
for (const [name, p] of [
  ['stdio', s],
  ['supergateway', b],
] as const)
  if (p.atEnd.healthy !== count)
    lines.push(
      `NOTE             ${name}: not all healthy at the end of the idle window: ${JSON.stringify(p.atEnd)}`,
    )
lines.push(
  `processes left   ${leftovers} of the run's processes were still running after AutoMCP and the bridges stopped${leftovers ? ' (ended here)' : ''}`,
)
for (const line of lines) console.log(line)
