// `npm run conformance:server`: the official conformance suite's server scenarios
// (`@modelcontextprotocol/conformance server --url …`, every active one) against two MCP servers directly —
// `@modelcontextprotocol/server-everything` and the suite's own reference server (reference-server.ts,
// which has every fixture the scenarios ask for) — and then against each through AutoMCP's gateway, at
// `/mcp/<toolset>` of a `prefix: false` toolset over that server alone. Prints both counts per server and
// the scenarios whose outcome differs; exits 1 when the gateway fails a scenario the server passes
// directly, fails `dns-rebinding-protection`, or fails any scenario of the reference server.
// `--direct` runs only the direct half; CONFORMANCE_VERBOSE=1 prints the suite's own output.
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { adminKey } from '../helpers/app'
import { startEverything, startReferenceServer } from '../helpers/peers'
import { startServer, tempDir } from '../helpers/process'
import { waitFor } from '../helpers/wait'
import { counts, differences, gatewayProblems, readSuiteResult, type SuiteResult } from './server-results'

const root = join(import.meta.dir, '..', '..')
const suite = join(root, 'node_modules/@modelcontextprotocol/conformance/dist/index.js')

/** The servers under test: each gets a toolset of that name over it alone, without prefixes. */
const targets = [
  { name: 'server-everything', toolset: 'everything', requireAll: false, start: startEverythingHttp },
  { name: 'reference server', toolset: 'reference', requireAll: true, start: startReferenceServer },
]

async function startEverythingHttp() {
  return startEverything('streamableHttp')
}

export type TargetResult = {
  name: string
  toolset: string
  /** The reference server: it must pass every scenario, directly and through the gateway. */
  requireAll: boolean
  url: string
  direct: SuiteResult
  gateway?: SuiteResult
  /** Empty when the gateway did what it must (see gatewayProblems). */
  problems: string[]
}

export type ServerConformance = {
  targets: TargetResult[]
  /** Why the gateway half could not run (AutoMCP refused a toolset, `/mcp/…` did not answer, …). */
  gatewayError?: string
}

// Every child this module started and has not stopped yet: ended in `finally`, and on Ctrl-C.
const children = new Set<() => Promise<void>>()
let interrupted = false

/** Ctrl-C: ends the children now; the run stops at its next step, ending any child it was starting. */
export function interrupt() {
  interrupted = true
  return stopChildren()
}

/** Tracks a child just started; throws (after tracking it, so it is ended) when the run was interrupted. */
function track<T extends { stop(): Promise<void> }>(child: T): T {
  children.add(child.stop)
  checkpoint()
  return child
}

function checkpoint() {
  if (interrupted) throw new Error('interrupted')
}

export async function stopChildren() {
  const stops = [...children].reverse()
  children.clear()
  await Promise.allSettled(stops.map((stop) => stop()))
}

/**
 * Runs every active server scenario against `url` (a whole run takes about two seconds against a server
 * that answers; one that hangs is cut off after `timeoutMs`, its unfinished scenarios counted as failed).
 */
export async function runSuite(url: string, { timeoutMs = 90_000 } = {}): Promise<SuiteResult> {
  const dir = tempDir('automcp-conformance-server-')
  const proc = Bun.spawn([process.execPath, suite, 'server', '--url', url, '--suite', 'active', '-o', dir], {
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const stop = async () => {
    proc.kill('SIGKILL')
    await proc.exited
  }
  children.add(stop)
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    proc.kill('SIGKILL')
  }, timeoutMs)
  try {
    const [out, err] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ])
    const note = timedOut ? `\n(the suite was stopped after ${timeoutMs / 1000} s)` : ''
    return readSuiteResult(url, dir, `${out}\n${err}${note}`)
  } finally {
    clearTimeout(timer)
    children.delete(stop)
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Both halves, as `npm run conformance:server` prints them; every child is stopped before it returns. */
export async function runServerConformance({ gateway = true } = {}): Promise<ServerConformance> {
  try {
    const results: TargetResult[] = []
    for (const target of targets) {
      const server = track(await target.start())
      results.push({ ...target, url: server.url, direct: await runSuite(server.url), problems: [] })
      checkpoint()
    }
    if (!gateway) return { targets: results }
    try {
      await throughGateway(results)
    } catch (e) {
      checkpoint()
      return { targets: results, gatewayError: e instanceof Error ? e.message : String(e) }
    }
    return { targets: results }
  } finally {
    await stopChildren()
  }
}

/**
 * AutoMCP with authentication off (the suite sends no Authorization header) and stdio allowed, each
 * server registered and its toolset created, then the suite against `/mcp/<toolset>`.
 */
async function throughGateway(results: TargetResult[]) {
  const automcp = await startServer(['--db', join(tempDir('automcp-conformance-server-'), 'a.db')], {
    AUTOMCP_AUTH: 'off',
    AUTOMCP_STDIO: 'on',
  })
  track({
    stop: async () => {
      automcp.proc.kill('SIGTERM')
      await automcp.proc.exited
    },
  })
  const api = automcpApi(automcp.base)
  for (const r of results) {
    await api.send('POST', '/servers/register', {
      id: r.toolset,
      name: r.name,
      url: r.url,
      transport: 'streamable-http',
      interval_s: 1,
    })
  }
  for (const r of results) await api.waitHealthy(r.toolset)
  for (const r of results)
    await api.send('POST', '/toolsets', { name: r.toolset, servers: [r.toolset], prefix: false })
  for (const r of results) {
    const url = `${automcp.base}/mcp/${r.toolset}`
    await waitForTools(url)
    r.gateway = await runSuite(url)
    checkpoint()
    r.problems = gatewayProblems(r.direct, r.gateway, { requireAll: r.requireAll })
  }
}

function automcpApi(base: string) {
  // AUTOMCP_AUTH=off needs no key; the admin key startServer configures is sent anyway, harmlessly.
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` }
  return {
    async send(method: string, path: string, body: unknown) {
      const res = await fetch(base + path, { method, headers, body: JSON.stringify(body) })
      const text = await res.text()
      if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`)
      return text ? JSON.parse(text) : undefined
    },
    async waitHealthy(id: string) {
      let last = ''
      try {
        await waitFor(async () => {
          const res = await fetch(`${base}/servers/${id}`, { headers })
          const info = (await res.json()) as { status: string; status_reason?: string | null }
          last = `${info.status} ${info.status_reason ?? ''}`
          return info.status === 'healthy'
        }, 20_000)
      } catch {
        throw new Error(`server ${id} did not turn healthy in AutoMCP within 20 s (last: ${last})`)
      }
    },
  }
}

/** Waits until the gateway offers the toolset's tools: the suite's first scenarios list them. */
async function waitForTools(url: string) {
  let last = ''
  const offersTools = async () => {
    const client = new Client({ name: 'automcp-conformance-runner', version: '0' })
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(url)))
      const { tools } = await client.listTools()
      last = `${tools.length} tools`
      return tools.length > 0
    } catch (e) {
      last = e instanceof Error ? e.message : String(e)
      return false
    } finally {
      await client.close().catch(() => {})
    }
  }
  try {
    await waitFor(offersTools, 15_000)
  } catch {
    throw new Error(`${url} offered no tools within 15 s (last: ${last})`)
  }
}

/** The lines `npm run conformance:server` prints for one server. */
export function report(r: TargetResult): string[] {
  const through = r.gateway ? `; through /mcp/${r.toolset} ${counts(r.gateway)}` : ''
  const lines = [`conformance server (${r.name}): direct ${counts(r.direct)}${through}`]
  if (r.gateway) {
    const differ = differences(r.direct, r.gateway)
    if (differ.length === 0) lines.push('  no scenario differs')
    for (const d of differ) lines.push(`  differs: ${d}`)
  }
  for (const p of r.problems) lines.push(`  ✗ ${p}`)
  if (process.env.CONFORMANCE_VERBOSE) {
    lines.push(r.direct.output)
    if (r.gateway) lines.push(r.gateway.output)
  }
  return lines
}

if (import.meta.main) {
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      void interrupt()
      // The run ends its children and throws at its next step; a step that never ends is not waited for.
      setTimeout(() => process.exit(130), 15_000).unref()
    })
  const result = await runServerConformance({ gateway: !process.argv.includes('--direct') }).catch((e) => {
    if (!interrupted) throw e
    process.exit(130)
  })
  for (const r of result.targets) console.log(report(r).join('\n'))
  if (result.gatewayError) console.log(`conformance server: the gateway half failed: ${result.gatewayError}`)
  const failed = !!result.gatewayError || result.targets.some((r) => r.problems.length > 0)
  process.exit(failed ? 1 : 0)
}
