// npm run bench:gateway — AutoMCP as an MCP server (`/mcp`): what a `tools/call` through it adds to the
// SDK client calling the same server directly (sequential latency, and throughput at 32 concurrent
// calls), `tools/list` over 1,000 tools from 50 servers (and in discovery mode, with a `search_tools`
// call), and AutoMCP's memory with 1,000 sessions open.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { authHeader, fmt, quantile, startAutomcp } from './lib'
import { memoryMb, procStat, threadCpuS } from './proc'

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback)
const calls = env('BENCH_CALLS', 2_000)
const seconds = env('BENCH_SECONDS', 2)
const rounds = env('BENCH_ROUNDS', 6)
const warmup = env('BENCH_WARMUP_SECONDS', 3)
const concurrency = env('BENCH_CONNECTIONS', 32)
const farmServers = env('BENCH_SERVERS', 50)
const toolsEach = 20
const sessionCount = env('BENCH_SESSIONS', 1_000)
const lists = 1_000

const peers = Bun.spawn(
  [process.execPath, join(import.meta.dir, 'peers/gateway-peers.ts'), String(farmServers), String(toolsEach)],
  { stdout: 'pipe', stderr: 'inherit' },
)
const urls = JSON.parse(await readLine(peers.stdout)) as { echo: string; farm: string[] }

async function readLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader()
  let text = ''
  while (!text.includes('\n')) {
    const { value, done } = await reader.read()
    if (done) throw new Error('the MCP servers did not start')
    text += new TextDecoder().decode(value)
  }
  reader.releaseLock()
  return text.slice(0, text.indexOf('\n'))
}

const ms = (xs: number[], q: number) => quantile(xs, q)
const verdict = (ok: boolean) => (ok ? 'met' : 'not met')

// --- talking to AutoMCP -------------------------------------------------------------------------------
type Automcp = Awaited<ReturnType<typeof startAutomcp>>

const api = (a: Automcp, path: string, body?: unknown) =>
  fetch(a.base + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...authHeader, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })

async function register(a: Automcp, id: string, url: string) {
  const res = await api(a, '/servers/register', { id, name: id, url, transport: 'streamable-http' })
  if (res.status !== 201) throw new Error(`register ${id}: ${res.status} ${await res.text()}`)
}

/** Waits until every registered server is healthy. */
async function allHealthy(a: Automcp, count: number) {
  for (const deadline = performance.now() + 120_000; performance.now() < deadline; await Bun.sleep(250)) {
    const list = (await (await api(a, '/servers')).json()) as { status: string }[]
    if (list.length === count && list.every((s) => s.status === 'healthy')) return
  }
  throw new Error(`not all ${count} servers became healthy`)
}

async function connect(url: string, headers: Record<string, string> = {}) {
  const client = new Client({ name: 'bench-gateway', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }))
  return client
}

/** Ends a client's session (DELETE), so that no session of one measurement is left open in the next. */
async function end(client: Client) {
  await (client.transport as StreamableHTTPClientTransport).terminateSession()
  await client.close()
}

const rawHeaders = {
  ...authHeader,
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
}

/**
 * A session opened with two plain POSTs (initialize, then notifications/initialized), as cheap for the
 * client as a session can be: no stream of server messages (GET) is opened.
 */
async function rawSession(mcpUrl: string): Promise<string> {
  const init = await fetch(mcpUrl, {
    method: 'POST',
    headers: rawHeaders,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: {},
        clientInfo: { name: 'bench', version: '1' },
      },
    }),
  })
  const id = init.headers.get('mcp-session-id')
  await init.text()
  if (!id) throw new Error(`initialize: ${init.status}`)
  const done = await fetch(mcpUrl, {
    method: 'POST',
    headers: { ...rawHeaders, 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  })
  await done.text()
  if (done.status !== 202) throw new Error(`notifications/initialized: ${done.status}`)
  return id
}

let rpcId = 1
/** One JSON-RPC request on a raw session: the time to its whole answer (read, not parsed) and its text. */
async function rpc(mcpUrl: string, session: string, method: string, params: unknown = {}) {
  const t = performance.now()
  const res = await fetch(mcpUrl, {
    method: 'POST',
    headers: { ...rawHeaders, 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' },
    body: JSON.stringify({ jsonrpc: '2.0', id: rpcId++, method, params }),
  })
  const text = await res.text()
  return { ms: performance.now() - t, text }
}

/** The result of an answer given as JSON or as one SSE event. */
function resultOf(text: string): Record<string, unknown> {
  const json = text.startsWith('{') ? text : (/^data: (.*)$/m.exec(text)?.[1] ?? '{}')
  const msg = JSON.parse(json) as { result?: Record<string, unknown>; error?: unknown }
  if (!msg.result) throw new Error(`no result: ${text.slice(0, 300)}`)
  return msg.result
}

const cpuOf = (pid: number) => procStat(pid)?.cpuS ?? 0

// --- 1. tools/call: through /mcp against the SDK client calling the server directly --------------------
async function toolCalls(a: Automcp) {
  await register(a, 'echo', urls.echo)
  await allHealthy(a, 1)
  const gatewayUrl = `${a.base}/mcp`
  const gateway = await connect(gatewayUrl, authHeader)
  const direct = await connect(urls.echo)
  const call = async (client: Client, name: string) => {
    const t = performance.now()
    const r = await client.callTool({ name, arguments: { message: 'hi' } })
    if (r.isError) throw new Error(`${name}: ${JSON.stringify(r.content)}`)
    return performance.now() - t
  }
  // Warm: until the JIT has compiled the paths of both (it costs a core for seconds), they are not measured.
  for (const warm = performance.now() + warmup * 1000; performance.now() < warm; ) {
    await call(direct, 'echo')
    await call(gateway, 'echo__echo')
  }
  // Alternating, so that drift on a shared machine hits both alike.
  const seq = { direct: [] as number[], gateway: [] as number[], steal: 0 }
  const steal = stealTicks()
  const t = performance.now()
  for (let i = 0; i < calls; i++) {
    seq.direct.push(await call(direct, 'echo'))
    seq.gateway.push(await call(gateway, 'echo__echo'))
  }
  seq.steal = stealShare(steal, (performance.now() - t) / 1000)
  await Promise.all([end(gateway), end(direct)])

  // Throughput: `concurrency` clients (a session each), each with one call in flight at a time.
  const pool = async (url: string, headers?: Record<string, string>) =>
    Promise.all(Array.from({ length: concurrency }, () => connect(url, headers)))
  const pools = { direct: await pool(urls.echo), gateway: await pool(gatewayUrl, authHeader) }
  const cpu = { automcp: 0, main: 0, mcp: 0, peers: 0, bench: 0 }
  const run = async (kind: 'direct' | 'gateway', forSeconds: number) => {
    const name = kind === 'direct' ? 'echo' : 'echo__echo'
    const threads = threadCpuS(a.proc.pid)
    const before = { automcp: cpuOf(a.proc.pid), peers: cpuOf(peers.pid), bench: process.cpuUsage() }
    const t = performance.now()
    const end = t + forSeconds * 1000
    let n = 0
    await Promise.all(
      pools[kind].map(async (c) => {
        while (performance.now() < end) {
          await call(c, name)
          n++
        }
      }),
    )
    const threadsAfter = threadCpuS(a.proc.pid)
    const used = {
      automcp: cpuOf(a.proc.pid) - before.automcp,
      main: threadsAfter.main - threads.main,
      mcp: threadsAfter.mcp - threads.mcp,
      peers: cpuOf(peers.pid) - before.peers,
      bench: (() => {
        const u = process.cpuUsage(before.bench)
        return (u.user + u.system) / 1e6
      })(),
    }
    return { n, s: (performance.now() - t) / 1000, used }
  }
  // The pools' sessions warm up too.
  await run('direct', warmup)
  await run('gateway', warmup)
  const measure = async () => {
    const totals = {
      direct: { n: 0, s: 0, used: { ...cpu } },
      gateway: { n: 0, s: 0, used: { ...cpu } },
    }
    const steal = stealTicks()
    for (let round = 0; round < rounds; round++)
      for (const kind of ['direct', 'gateway'] as const) {
        const r = await run(kind, seconds)
        const tot = totals[kind]
        tot.n += r.n
        tot.s += r.s
        for (const k of Object.keys(cpu) as (keyof typeof cpu)[]) tot.used[k] += r.used[k]
      }
    return { ...totals, steal: stealShare(steal, totals.direct.s + totals.gateway.s) }
  }
  const totals = await measure()
  // Again with AutoMCP on a core of its own and the clients and server on another, as when it runs on
  // a host of its own: direct calls get the same one core as before.
  const pinned = pin(a.proc.pid) ? await measure() : undefined
  unpin(a.proc.pid)
  await Promise.all([...pools.direct, ...pools.gateway].map(end))
  return { seq, totals, pinned }
}

// --- 2. tools/list over 1,000 tools from 50 servers ----------------------------------------------------
async function registerFarm(a: Automcp) {
  for (const [i, url] of urls.farm.entries()) await register(a, `f${String(i).padStart(2, '0')}`, url)
}

async function toolsList(a: Automcp) {
  await registerFarm(a)
  await allHealthy(a, farmServers + 1)
  const mcpUrl = `${a.base}/mcp`
  const session = await rawSession(mcpUrl)
  const expected = farmServers * toolsEach + 1
  let bytes = 0
  for (const deadline = performance.now() + 60_000; ; await Bun.sleep(250)) {
    const { text } = await rpc(mcpUrl, session, 'tools/list')
    const tools = resultOf(text).tools as unknown[]
    bytes = text.length
    if (tools.length === expected) break
    if (performance.now() > deadline) throw new Error(`tools/list gave ${tools.length} of ${expected} tools`)
  }
  for (let i = 0; i < 100; i++) await rpc(mcpUrl, session, 'tools/list')
  const raw: number[] = []
  for (let i = 0; i < lists; i++) raw.push((await rpc(mcpUrl, session, 'tools/list')).ms)
  // What an SDK client sees: its own validation of the 1,000 tools included.
  const client = await connect(mcpUrl, authHeader)
  const sdk: number[] = []
  for (let i = 0; i < 20; i++) await client.listTools()
  for (let i = 0; i < 200; i++) {
    const t = performance.now()
    await client.listTools()
    sdk.push(performance.now() - t)
  }
  await end(client)
  return { raw, sdk, bytes, tools: expected }
}

// --- 3. 1,000 open sessions and AutoMCP's memory ------------------------------------------------------
async function sessions(a: Automcp) {
  const mcpUrl = `${a.base}/mcp`
  await rawSession(mcpUrl) // the SDK's server side is loaded with the first session: not counted
  await Bun.sleep(2_000)
  const before = memoryMb(a.proc.pid).rss
  const ids: string[] = []
  const t = performance.now()
  const batch = 16
  for (let i = 0; i < sessionCount; i += batch)
    ids.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(batch, sessionCount - i) }, () => rawSession(mcpUrl)),
      )),
    )
  const openS = (performance.now() - t) / 1000
  await Bun.sleep(2_000)
  const after = memoryMb(a.proc.pid).rss
  const metrics = await (await fetch(`${a.base}/metrics`, { headers: authHeader })).text()
  const counted = Number(
    /automcp_gateway_sessions\{transport="streamable-http"\} (\d+)/.exec(metrics)?.[1] ?? Number.NaN,
  )
  const lastList = resultOf((await rpc(mcpUrl, ids.at(-1) as string, 'tools/list')).text).tools as unknown[]
  for (let i = 0; i < ids.length; i += batch)
    await Promise.all(
      ids
        .slice(i, i + batch)
        .map((id) =>
          fetch(mcpUrl, { method: 'DELETE', headers: { ...authHeader, 'mcp-session-id': id } }).then((r) =>
            r.text(),
          ),
        ),
    )
  await Bun.sleep(2_000)
  const closed = memoryMb(a.proc.pid).rss
  return { before, after, closed, openS, counted, lastListTools: lastList.length }
}

// --- 2b. discovery mode (the default threshold, 64 tools) ---------------------------------------------
async function discovery() {
  const b = await startAutomcp({ AUTOMCP_GATEWAY_SESSIONS_PER_KEY: '100000' })
  try {
    await register(b, 'echo', urls.echo)
    await registerFarm(b)
    await allHealthy(b, farmServers + 1)
    const mcpUrl = `${b.base}/mcp`
    const session = await rawSession(mcpUrl)
    const listed = resultOf((await rpc(mcpUrl, session, 'tools/list')).text).tools as { name: string }[]
    if (listed.length !== 2) throw new Error(`discovery: tools/list gave ${listed.length} tools`)
    const last = `f${String(farmServers - 1).padStart(2, '0')}`
    const search = (query: string) =>
      rpc(mcpUrl, session, 'tools/call', { name: 'search_tools', arguments: { query, limit: 10 } })
    // Every server's tools are in the index: the last one registered is found by its name.
    const found = resultOf((await search(`${last} read`)).text) as {
      structuredContent?: { tools: { server: string }[] }
    }
    if (!found.structuredContent?.tools.some((t) => t.server === last))
      throw new Error(`search_tools did not find the tools of ${last}`)
    const queries = [
      'read a file',
      'search issues by title',
      'send a message',
      'delete record',
      'user report',
    ]
    for (let i = 0; i < 100; i++) {
      await rpc(mcpUrl, session, 'tools/list')
      await search(queries[i % queries.length] as string)
    }
    const list: number[] = []
    const searched: number[] = []
    for (let i = 0; i < lists; i++) {
      list.push((await rpc(mcpUrl, session, 'tools/list')).ms)
      searched.push((await search(queries[i % queries.length] as string)).ms)
    }
    return { list, searched }
  } finally {
    b.proc.kill()
    await b.proc.exited
  }
}

// BENCH_PROFILE=1: only the throughput through /mcp, with a CPU profile of AutoMCP's main thread.
if (process.env.BENCH_PROFILE) {
  const p = await startAutomcp(
    { AUTOMCP_GATEWAY_SESSIONS_PER_KEY: '100000', PROFILE_SECONDS: String(seconds + 10) },
    { profile: true },
  )
  try {
    await register(p, 'echo', urls.echo)
    await allHealthy(p, 1)
    const clients = await Promise.all(
      Array.from({ length: concurrency }, () => connect(`${p.base}/mcp`, authHeader)),
    )
    const end = performance.now() + seconds * 1000
    let n = 0
    await Promise.all(
      clients.map(async (c) => {
        for (; performance.now() < end; n++) await c.callTool({ name: 'echo__echo', arguments: {} })
      }),
    )
    console.log(`${fmt(n)} calls through /mcp in ${seconds} s; waiting for the profile…`)
    await p.proc.exited
    console.log(`profile in ${p.dir}`)
  } finally {
    peers.kill()
  }
  process.exit(0)
}

const loadBefore = (await Bun.file('/proc/loadavg').text()).trim()
const a = await startAutomcp({
  AUTOMCP_DISCOVERY_THRESHOLD: '100000',
  AUTOMCP_GATEWAY_SESSIONS_PER_KEY: '100000',
})
// BENCH_MCP_NICE=0: the MCP thread (nice 10 by its own choice) at that niceness instead, to see what its
// lower priority costs on a machine busy with other work.
if (process.env.BENCH_MCP_NICE !== undefined) reniceMcpThread(a.proc.pid, process.env.BENCH_MCP_NICE)
try {
  const rssStart = memoryMb(a.proc.pid).rss
  const one = await toolCalls(a)
  const listed = await toolsList(a)
  const held = await sessions(a)
  a.proc.kill()
  await a.proc.exited
  const disc = await discovery()
  report(one, listed, held, disc, rssStart)
  console.log(
    `load average     before ${loadBefore}; after ${(await Bun.file('/proc/loadavg').text()).trim()}`,
  )
} finally {
  a.proc.kill()
  peers.kill()
  await Promise.all([a.proc.exited, peers.exited])
}

/** The machine's CPU time taken by its hypervisor for others (steal), in clock ticks. */
function stealTicks(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/) ?? []
  return Number(cpu[8] ?? 0)
}

/** Steal since `before` as a share of the machine's CPU time over `seconds`. */
function stealShare(before: number, seconds: number) {
  return (stealTicks() - before) / (100 * seconds * navigator.hardwareConcurrency)
}

/** AutoMCP's threads on the last CPU, the benchmark's and the servers' on the others; false if it cannot. */
function pin(automcp: number): boolean {
  const cpus = navigator.hardwareConcurrency
  if (cpus < 2 || Bun.which('taskset') === null) return false
  const set = (cpuList: string, pid: number) =>
    Bun.spawnSync(['taskset', '-a', '-p', '-c', cpuList, String(pid)], { stdout: 'ignore' }).exitCode === 0
  return (
    set(String(cpus - 1), automcp) && set(`0-${cpus - 2}`, peers.pid) && set(`0-${cpus - 2}`, process.pid)
  )
}

function unpin(automcp: number) {
  const all = `0-${navigator.hardwareConcurrency - 1}`
  for (const pid of [automcp, peers.pid, process.pid])
    Bun.spawnSync(['taskset', '-a', '-p', '-c', all, String(pid)], { stdout: 'ignore' })
}

function reniceMcpThread(pid: number, nice: string) {
  for (const tid of readdirSync(`/proc/${pid}/task`))
    if (readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim() === 'mcp')
      Bun.spawnSync(['renice', '-n', nice, '-p', tid], { stdout: 'ignore' })
}

function report(
  one: Awaited<ReturnType<typeof toolCalls>>,
  listed: Awaited<ReturnType<typeof toolsList>>,
  held: Awaited<ReturnType<typeof sessions>>,
  disc: Awaited<ReturnType<typeof discovery>>,
  rssStart: number,
) {
  const { seq, totals, pinned } = one
  const added50 = ms(seq.gateway, 0.5) - ms(seq.direct, 0.5)
  const added99 = ms(seq.gateway, 0.99) - ms(seq.direct, 0.99)
  type Totals = typeof totals
  const rate = (t: Totals, k: 'direct' | 'gateway') => t[k].n / t[k].s
  const ratio = (t: Totals) => rate(t, 'gateway') / rate(t, 'direct')
  const us = (t: Totals, k: 'direct' | 'gateway', who: keyof Totals['direct']['used']) =>
    fmt((t[k].used[who] / t[k].n) * 1e6)
  const throughput = (t: Totals, where: string) =>
    `${where}: direct ${fmt(rate(t, 'direct'))} calls/s, through /mcp ${fmt(rate(t, 'gateway'))} calls/s, ratio ${fmt(ratio(t), 2)} (target >= 0.5: ${verdict(ratio(t) >= 0.5)}; CPU steal ${fmt(t.steal * 100, 1)}%)`
  const cpuLine = (t: Totals) =>
    `through /mcp: AutoMCP ${us(t, 'gateway', 'automcp')} µs (main thread ${us(t, 'gateway', 'main')}, MCP thread ${us(t, 'gateway', 'mcp')}), MCP server ${us(t, 'gateway', 'peers')} µs, clients ${us(t, 'gateway', 'bench')} µs; ` +
    `direct: MCP server ${us(t, 'direct', 'peers')} µs, clients ${us(t, 'direct', 'bench')} µs`
  const list50 = ms(listed.raw, 0.5)
  const perSessionKb = ((held.after - held.before) * 1024) / sessionCount
  console.log(
    `bench:gateway, AutoMCP from source (its own process${process.env.BENCH_MCP_NICE !== undefined ? `, MCP thread at nice ${process.env.BENCH_MCP_NICE}` : ''}), MCP servers: the SDK's Server on streamable HTTP (JSON answers), ${1 + farmServers} in one process apart`,
  )
  console.log(
    `tools/call       ${fmt(calls)} sequential calls each (SDK client, alternating): direct p50 ${fmt(ms(seq.direct, 0.5), 2)} ms p99 ${fmt(ms(seq.direct, 0.99), 2)} ms; ` +
      `through /mcp p50 ${fmt(ms(seq.gateway, 0.5), 2)} ms p99 ${fmt(ms(seq.gateway, 0.99), 2)} ms`,
  )
  console.log(
    `added latency    p50 ${fmt(added50, 2)} ms (target <= 1 ms: ${verdict(added50 <= 1)}), p99 ${fmt(added99, 2)} ms (target <= 3 ms: ${verdict(added99 <= 3)}; CPU steal ${fmt(seq.steal * 100, 1)}%)`,
  )
  console.log(
    `throughput       ${concurrency} SDK clients (a session each, one call in flight each), ${warmup} s warm-up, then ${rounds} x ${seconds} s each, alternating`,
  )
  console.log(
    `                 ${throughput(totals, `all on the same ${navigator.hardwareConcurrency} cores`)}`,
  )
  console.log(
    `                 ${pinned ? throughput(pinned, 'AutoMCP on a core of its own, clients and server on the other') : 'AutoMCP on a core of its own: not measured (needs 2 cores and taskset)'}`,
  )
  console.log(`CPU per call     ${cpuLine(totals)}`)
  if (pinned) console.log(`  pinned         ${cpuLine(pinned)}`)
  console.log(
    `tools/list       ${fmt(listed.tools)} tools from ${1 + farmServers} servers, ${fmt(lists)} lists (raw POST, ${fmt(listed.bytes / 1024)} KB answer read, not parsed): ` +
      `p50 ${fmt(list50, 2)} ms p99 ${fmt(ms(listed.raw, 0.99), 2)} ms (target p50 <= 5 ms: ${verdict(list50 <= 5)}); ` +
      `SDK client listTools (its validation included) p50 ${fmt(ms(listed.sdk, 0.5), 2)} ms p99 ${fmt(ms(listed.sdk, 0.99), 2)} ms`,
  )
  console.log(
    `discovery        default threshold (64): tools/list (2 tools) p50 ${fmt(ms(disc.list, 0.5), 2)} ms p99 ${fmt(ms(disc.list, 0.99), 2)} ms; ` +
      `search_tools over ${fmt(listed.tools)} tools (limit 10) p50 ${fmt(ms(disc.searched, 0.5), 2)} ms p99 ${fmt(ms(disc.searched, 0.99), 2)} ms`,
  )
  console.log(
    `sessions         ${fmt(sessionCount)} opened in ${fmt(held.openS, 2)} s (initialize + initialized, no GET stream; AutoMCP counts ${held.counted}): ` +
      `RSS ${fmt(held.before, 1)} MB before, ${fmt(held.after, 1)} MB with them: ${fmt(perSessionKb, 1)} KB per session; ` +
      `${fmt(held.closed, 1)} MB after closing them (RSS at start ${fmt(rssStart, 1)} MB; the last session lists ${held.lastListTools} tools)`,
  )
}
