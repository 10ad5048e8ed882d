// npm run bench:tools — what AutoMCP itself adds to a chat step in which the model calls an MCP tool:
// the chat's time at the client, minus the time the upstream and the MCP server spent on its requests
// (each measures its own, from a request's arrival to its answer handed to the socket).
import { join } from 'node:path'
import { authHeader, benchKey, fmt, quantile, startChatAutomcp } from './lib'

const bun = process.execPath

const peers = Bun.spawn([bun, join(import.meta.dir, 'peers/tool-peers.ts')], {
  stdout: 'pipe',
  stderr: 'inherit',
})
const { upstream, mcp } = JSON.parse(
  new TextDecoder().decode((await peers.stdout.getReader().read()).value),
) as { upstream: string; mcp: string }
const busyUrl = upstream.replace(/\/v1$/, '/busy')

const { proc: automcp, base } = await startChatAutomcp(upstream)

type Busy = { upstreamMs: number; mcpMs: number; mcpRequests: number }
const busy = async () => (await (await fetch(busyUrl)).json()) as Busy

try {
  const post = (path: string, body?: unknown) =>
    fetch(base + path, {
      method: 'POST',
      headers: { ...authHeader, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  await post('/servers/register', { id: 'bench', name: 'Bench', url: mcp, transport: 'streamable-http' })
  const checked = (await (await post('/servers/bench/test')).json()) as { status: string }
  if (checked.status !== 'healthy') throw new Error(`the MCP stand-in is ${checked.status}`)

  const ws = new WebSocket(`${base.replace('http', 'ws')}/chat?token=${benchKey}`)
  await new Promise((resolve, reject) => {
    ws.onopen = resolve
    ws.onerror = reject
  })
  let waiting: { resolve: (m: { steps?: number }) => void; reject: (e: Error) => void } | undefined
  ws.onmessage = (event) => {
    const m = JSON.parse(String(event.data))
    if (m.type === 'done') waiting?.resolve(m)
    else if (m.type === 'error' || (m.type === 'tool_result' && !m.ok))
      waiting?.reject(new Error(JSON.stringify(m)))
  }
  let next = 0
  /** One streaming chat; its time at the client and AutoMCP's share of it, in ms. */
  async function chat(steps: number, tools: 'auto' | 'none') {
    await busy()
    const t = performance.now()
    const done = await new Promise<{ steps?: number }>((resolve, reject) => {
      waiting = { resolve, reject }
      ws.send(
        JSON.stringify({
          type: 'chat',
          id: next++,
          model: `steps:${steps}`,
          messages: [{ role: 'user', content: 'bench' }],
          stream: true,
          tools,
        }),
      )
    })
    const wall = performance.now() - t
    const b = await busy()
    if (tools === 'auto' && done.steps !== steps + 1)
      throw new Error(`expected ${steps + 1} steps, got ${done.steps}`)
    if (b.mcpRequests !== (tools === 'auto' ? steps : 0))
      throw new Error(`unexpected MCP requests: ${b.mcpRequests}`)
    return { wall, own: wall - b.upstreamMs - b.mcpMs, upstream: b.upstreamMs, mcp: b.mcpMs }
  }

  const rounds = 300
  type Run = Awaited<ReturnType<typeof chat>>
  const runs = { plain: [] as Run[], one: [] as Run[], four: [] as Run[] }
  for (let i = 0; i < 50; i++) {
    await chat(0, 'none') // warm-up
    await chat(1, 'auto')
  }
  // Alternating, so that drift on a shared machine hits all three alike.
  for (let i = 0; i < rounds; i++) {
    runs.plain.push(await chat(0, 'none'))
    runs.one.push(await chat(1, 'auto'))
    runs.four.push(await chat(4, 'auto'))
  }
  ws.close()
  const p = (xs: { own: number }[], q: number, per = 1) =>
    quantile(
      xs.map((x) => x.own / per),
      q,
    )
  const med = (xs: { wall: number; upstream: number; mcp: number }[], k: 'wall' | 'upstream' | 'mcp') =>
    quantile(
      xs.map((x) => x[k]),
      0.5,
    )
  const perStep = p(runs.one, 0.5)
  console.log(
    `bench:tools, ${rounds} chats of each kind, streaming over /chat, one MCP server (the SDK's, streamable HTTP)`,
  )
  console.log(
    `one tool step    chat p50 ${fmt(med(runs.one, 'wall'), 2)} ms = upstream ${fmt(med(runs.one, 'upstream'), 2)} ms (2 requests) + MCP server ${fmt(med(runs.one, 'mcp'), 2)} ms + AutoMCP ` +
      `p50 ${fmt(perStep, 2)} ms, p95 ${fmt(p(runs.one, 0.95), 2)} ms (target p50 <= 5 ms: ${perStep <= 5 ? 'met' : 'not met'})`,
  )
  console.log(
    `four tool steps  AutoMCP per step p50 ${fmt(p(runs.four, 0.5, 4), 2)} ms, p95 ${fmt(p(runs.four, 0.95, 4), 2)} ms (the whole chat's share / 4)`,
  )
  console.log(
    `baseline         the same chat without tools (one upstream request): AutoMCP p50 ${fmt(p(runs.plain, 0.5), 2)} ms, p95 ${fmt(p(runs.plain, 0.95), 2)} ms`,
  )
} finally {
  automcp.kill()
  peers.kill()
  await Promise.all([automcp.exited, peers.exited])
}
