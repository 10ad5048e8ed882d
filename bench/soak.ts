// npm run bench:soak — ten minutes of mixed load on one AutoMCP process: REST reads and writes, 200 /events
// sockets, streaming chats against a fake upstream, 200 monitored MCP servers. Counts every error and
// samples memory: after the warm-up, resident memory should grow by no more than 10%.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { authHeader, benchEnv, benchKey, fmt, freePort, memoryOf, waitUntilUp } from './lib'

const seconds = Number(process.env.BENCH_SOAK_SECONDS ?? 600)
const warmupS = Math.min(60, seconds / 5)
const root = join(import.meta.dir, '..')
const bun = process.execPath
const dir = mkdtempSync(join(tmpdir(), 'automcp-bench-soak-'))

async function peer(file: string) {
  const proc = Bun.spawn([bun, join(import.meta.dir, file)], { stdout: 'pipe', stderr: 'inherit' })
  const { port } = JSON.parse(new TextDecoder().decode((await proc.stdout.getReader().read()).value))
  return { proc, port: port as number }
}
const farm = await peer('peers/mcp-farm.ts')
const upstream = await peer('peers/fake-upstream.ts')

const port = await freePort()
const base = `http://127.0.0.1:${port}`
const automcp = Bun.spawn([bun, join(root, 'src/main.ts'), '--port', String(port), '--host', '127.0.0.1'], {
  env: {
    ...process.env,
    ...benchEnv,
    AUTOMCP_DB: join(dir, 'soak.db'),
    AUTOMCP_UPSTREAM_URL: `http://127.0.0.1:${upstream.port}/v1`,
    AUTOMCP_CHAT_RATE_LIMIT: '0', // one key runs every chat here
    AUTOMCP_LOG_LEVEL: 'warn',
  },
  stdout: 'ignore',
  stderr: 'inherit',
})
await waitUntilUp(`${base}/health`, 'automcp')

const errors: Record<string, number> = {}
const counts = { rest: 0, events: 0, chats: 0, chunks: 0 }
const fail = (what: string) => {
  errors[what] = (errors[what] ?? 0) + 1
}
let running = true

async function call(method: string, path: string, body?: unknown, expected = [200, 201, 204]) {
  try {
    const res = await fetch(base + path, {
      method,
      headers: { ...authHeader, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    await res.arrayBuffer()
    counts.rest++
    if (!expected.includes(res.status))
      fail(`${method} ${path.replace(/\/[^/?]*-\d+/, '/{id}')} ${res.status}`)
  } catch (e) {
    fail(`${method} ${(e as Error).message}`)
  }
}

// 200 monitored MCP servers, checked every 10 s.
for (let i = 0; i < 200; i++)
  await call('POST', '/servers/register', {
    id: `mcp-${i}`,
    name: `MCP ${i}`,
    url: `http://127.0.0.1:${farm.port}/mcp/${i}`,
    transport: 'streamable-http',
    interval_s: 10,
  })

// 200 /events sockets for the whole run; a socket that closes is an error.
const sockets: WebSocket[] = []
for (let i = 0; i < 200; i++) {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/events?token=${benchKey}`)
  ws.onmessage = () => counts.events++
  ws.onclose = () => running && fail('/events socket closed')
  sockets.push(ws)
}

// REST: 8 clients reading and writing.
async function restClient(n: number) {
  for (let i = 0; running; i++) {
    const id = `scratch-${n}-${Math.floor(i / 8) % 20}` // registered, patched, then deleted
    const target = `mcp-${(n * 31 + i) % 200}`
    switch (i % 8) {
      case 0:
        await call('POST', '/servers/register', {
          id,
          name: 'Scratch',
          url: `http://127.0.0.1:${farm.port}/mcp/s`,
          interval_s: 60,
        })
        break
      case 1:
        await call('PATCH', `/servers/${id}`, { tags: ['soak', String(i)] })
        break
      case 2:
        await call('DELETE', `/servers/${id}`)
        break
      case 3:
        await call('GET', `/servers/${target}/history?limit=50`)
        break
      case 4:
        await call('GET', `/servers/${target}/stats?window=1h`)
        break
      default:
        await call('GET', '/servers')
    }
  }
}

// Chats: 10 sockets, each running one streaming chat after another (50 chunks, 10 ms apart).
async function chatClient() {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/chat?token=${benchKey}`)
  await new Promise((resolve) => {
    ws.onopen = resolve
  })
  ws.onclose = () => running && fail('/chat socket closed')
  for (let i = 0; running; i++) {
    await new Promise<void>((resolve) => {
      ws.onmessage = (e) => {
        const m = JSON.parse(String(e.data))
        if (m.id !== `c${i}`) return
        if (m.type === 'chunk') counts.chunks++
        else if (m.type === 'done') {
          counts.chats++
          resolve()
        } else if (m.type === 'error') {
          fail(`chat ${m.error.code}`)
          resolve()
        }
      }
      ws.send(
        JSON.stringify({
          type: 'chat',
          id: `c${i}`,
          model: 'n:50:10',
          messages: [{ role: 'user', content: 'soak' }],
          stream: true,
        }),
      )
    })
  }
  ws.close()
}

const started = performance.now()
const load = [
  ...Array.from({ length: 8 }, (_, n) => restClient(n)),
  ...Array.from({ length: 10 }, chatClient),
]
const samples: { s: number; rssMb: number }[] = []
while (performance.now() - started < seconds * 1000) {
  await Bun.sleep(10_000)
  samples.push({
    s: Math.round((performance.now() - started) / 1000),
    rssMb: (await memoryOf(automcp.pid)).rssMb,
  })
}
running = false
await Promise.all(load)
for (const ws of sockets) ws.close()
const statuses = (await (await fetch(`${base}/servers`, { headers: authHeader })).json()) as {
  status: string
}[]
automcp.kill('SIGTERM')
await automcp.exited
farm.proc.kill()
upstream.proc.kill()

const afterWarmup = samples.filter((x) => x.s >= warmupS)
const first = afterWarmup[0]?.rssMb ?? Number.NaN
const last = afterWarmup.at(-1)?.rssMb ?? Number.NaN
const peak = Math.max(...afterWarmup.map((x) => x.rssMb))
const errorTotal = Object.values(errors).reduce((a, b) => a + b, 0)
const healthy = statuses.filter((x) => x.status === 'healthy').length
console.log(`bench:soak, ${seconds} s of mixed load (warm-up ${warmupS} s)`)
console.log(
  `load             ${fmt(counts.rest)} REST requests, ${fmt(counts.chats)} chats (${fmt(counts.chunks)} chunks), ${fmt(counts.events)} /events deliveries to 200 sockets; ${healthy} of ${statuses.length} servers healthy at the end`,
)
console.log(`errors           ${errorTotal} (target 0)${errorTotal ? ` ${JSON.stringify(errors)}` : ''}`)
console.log(
  `memory           RSS ${fmt(first)} MB after warm-up, ${fmt(last)} MB at the end, peak ${fmt(peak)} MB: growth ${fmt(((last - first) / first) * 100, 1)}% (target <= 10%)`,
)
console.log(`samples (s: MB) ${samples.map((x) => `${x.s}:${Math.round(x.rssMb)}`).join(' ')}`)
