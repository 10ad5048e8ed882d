// Small helpers shared by the benchmarks.
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Polls `url` until it answers, for processes started by a benchmark. */
export async function waitUntilUp(url: string, what: string, timeoutMs = 10_000) {
  for (const deadline = performance.now() + timeoutMs; performance.now() < deadline; ) {
    if (
      await fetch(url).then(
        () => true,
        () => false,
      )
    )
      return
    await Bun.sleep(25)
  }
  throw new Error(`${what} did not start`)
}

export const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })

/** Peak and current resident memory of a process, in MB (Linux). */
export async function memoryOf(pid: number): Promise<{ rssMb: number; peakMb: number }> {
  const status = await Bun.file(`/proc/${pid}/status`).text()
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0)
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 }
}

/**
 * AutoMCP as a benchmark runs it: authentication on, with a known key; the rate limiter on too but far
 * above any load here (so its cost is measured, not its 429s); no cap on registrations.
 */
export const benchKey = 'amcp_bench-key-not-secret'
export const benchEnv = {
  AUTOMCP_API_KEY: benchKey,
  AUTOMCP_RATE_LIMIT: '100000000',
  AUTOMCP_MAX_SERVERS: '10000000',
}
export const authHeader = { authorization: `Bearer ${benchKey}` }

/**
 * AutoMCP from source with a file database in a temporary directory, warnings only, and `env` on top of
 * `benchEnv`. `stderr` is inherited, so its warnings show beside the figures.
 */
export async function startAutomcp(env: Record<string, string> = {}, { profile = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'automcp-bench-'))
  const port = await freePort()
  // With `profile`, peers/profile-target.ts runs the server instead (it stops itself after
  // PROFILE_SECONDS) and Bun writes a CPU profile of its main thread into `dir`.
  const entry = profile
    ? ['--cpu-prof-md', '--cpu-prof-dir', dir, join(import.meta.dir, 'peers/profile-target.ts')]
    : [join(import.meta.dir, '..', 'src/main.ts')]
  const proc = Bun.spawn(
    [process.execPath, ...entry, ...['--port', String(port), '--host', '127.0.0.1', '--log-level', 'warn']],
    {
      env: { ...process.env, ...benchEnv, AUTOMCP_DB: join(dir, 'bench.db'), ...env },
      stdout: 'ignore',
      stderr: 'inherit',
    },
  )
  const base = `http://127.0.0.1:${port}`
  await waitUntilUp(`${base}/health`, 'automcp')
  return { proc, base, dir }
}

/**
 * AutoMCP from source, as the chat benchmarks run it: the chat upstream at `upstreamUrl`, no per-key chat
 * limit (one key runs every chat).
 */
export const startChatAutomcp = (upstreamUrl: string) =>
  startAutomcp({ AUTOMCP_CHAT_RATE_LIMIT: '0', AUTOMCP_UPSTREAM_URL: upstreamUrl })
