// npm run bench:chat — the /chat relay against the same fake upstream read directly, in one run:
// time to first chunk, the rate of a 10,000-chunk stream (one message per chunk, and batched), and 200
// concurrent chats over 50 sockets.
import { join } from 'node:path'
import { createParser } from 'eventsource-parser'
import { benchKey, fmt, quantile, startChatAutomcp } from './lib'

const bun = process.execPath
const messages = [{ role: 'user', content: 'bench' }]

const upstreamProc = Bun.spawn([bun, join(import.meta.dir, 'peers/fake-upstream.ts')], {
  stdout: 'pipe',
  stderr: 'inherit',
})
const upstreamPort = JSON.parse(
  new TextDecoder().decode((await upstreamProc.stdout.getReader().read()).value),
).port as number
const upstreamUrl = `http://127.0.0.1:${upstreamPort}/v1`

const { proc: automcp, base } = await startChatAutomcp(upstreamUrl)

/** A streaming completion read straight from the upstream, as a client of it would (SSE + JSON per chunk). */
async function direct(model: string): Promise<{ firstMs: number; totalMs: number; chunks: number }> {
  const t = performance.now()
  let firstMs = 0
  let chunks = 0
  const res = await fetch(`${upstreamUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages, stream: true, stream_options: { include_usage: true } }),
  })
  const parser = createParser({
    onEvent(e) {
      if (e.data === '[DONE]') return
      JSON.parse(e.data)
      if (chunks++ === 0) firstMs = performance.now() - t
    },
  })
  const decoder = new TextDecoder()
  for await (const bytes of res.body as ReadableStream<Uint8Array>)
    parser.feed(decoder.decode(bytes, { stream: true }))
  return { firstMs, totalMs: performance.now() - t, chunks }
}

/** One socket on /chat that can run several chats; each resolves when its `done` arrives. */
async function chatSocket(url = `${base.replace('http', 'ws')}/chat?token=${benchKey}`) {
  const ws = new WebSocket(url)
  type Run = {
    t: number
    firstMs: number
    chunks: number
    resolve: (r: Result) => void
    reject: (e: Error) => void
  }
  type Result = { firstMs: number; totalMs: number; chunks: number }
  const runs = new Map<string, Run>()
  ws.onmessage = (event) => {
    const m = JSON.parse(String(event.data))
    const run = runs.get(m.id)
    if (!run) return
    if (m.type === 'chunk' || m.type === 'chunks') {
      if (run.chunks === 0) run.firstMs = performance.now() - run.t
      run.chunks += m.type === 'chunks' ? m.data.length : 1
    } else if (m.type === 'done') {
      runs.delete(m.id)
      run.resolve({ firstMs: run.firstMs, totalMs: performance.now() - run.t, chunks: run.chunks })
    } else if (m.type === 'error') {
      runs.delete(m.id)
      run.reject(new Error(JSON.stringify(m.error)))
    }
  }
  await new Promise((resolve, reject) => {
    ws.onopen = resolve
    ws.onerror = reject
  })
  let next = 0
  const ceiling = url.endsWith('/ws-ceiling')
  return {
    chat(model: string, batch = false): Promise<Result> {
      const id = ceiling ? 'c' : `c${next++}`
      return new Promise((resolve, reject) => {
        runs.set(id, { t: performance.now(), firstMs: 0, chunks: 0, resolve, reject })
        ws.send(ceiling ? model : JSON.stringify({ type: 'chat', id, model, messages, stream: true, batch }))
      })
    },
    close: () => ws.close(),
  }
}

try {
  const relay = await chatSocket()

  // 1. Time to first chunk, alternating direct and relayed requests so drift hits both alike.
  const rounds = 500
  const firstDirect: number[] = []
  const firstRelay: number[] = []
  for (let i = 0; i < 50; i++) await Promise.all([direct('n:5:0'), relay.chat('n:5:0')]) // warm-up
  for (let i = 0; i < rounds; i++) {
    firstDirect.push((await direct('n:5:0')).firstMs)
    firstRelay.push((await relay.chat('n:5:0')).firstMs)
  }
  const p = (xs: number[], q: number) => quantile(xs, q)
  const added50 = p(firstRelay, 0.5) - p(firstDirect, 0.5)
  const added95 = p(firstRelay, 0.95) - p(firstDirect, 0.95)
  console.log(
    `first chunk      ${rounds} chats: direct p50 ${fmt(p(firstDirect, 0.5), 2)} ms p95 ${fmt(p(firstDirect, 0.95), 2)} ms; ` +
      `through /chat p50 ${fmt(p(firstRelay, 0.5), 2)} ms p95 ${fmt(p(firstRelay, 0.95), 2)} ms; ` +
      `added p50 ${fmt(added50, 2)} ms (target <= 1), p95 ${fmt(added95, 2)} ms (target <= 3)`,
  )

  // 2. One 10,000-chunk stream as fast as the upstream writes it: median of 60 alternating rounds (one
  // takes ~10 ms, so a few are not enough on a shared machine).
  const bare = await chatSocket(`ws://127.0.0.1:${upstreamPort}/ws-ceiling`)
  const rates = {
    direct: [] as number[],
    relay: [] as number[],
    bare: [] as number[],
    batched: [] as number[],
  }
  for (let i = 0; i < 61; i++) {
    const d = await direct('n:10000:0')
    const r = await relay.chat('n:10000:0')
    const b = await bare.chat('n:10000:0')
    const c = await relay.chat('n:10000:0', true)
    if (d.chunks !== 10_001 || r.chunks !== 10_001 || b.chunks !== 10_001 || c.chunks !== 10_001)
      throw new Error(`chunks lost: ${d.chunks} / ${r.chunks} / ${b.chunks} / ${c.chunks}`)
    if (i === 0) continue // warm-up
    rates.direct.push(d.chunks / (d.totalMs / 1000))
    rates.relay.push(r.chunks / (r.totalMs / 1000))
    rates.bare.push(b.chunks / (b.totalMs / 1000))
    rates.batched.push(c.chunks / (c.totalMs / 1000))
  }
  bare.close()
  const [directRate, relayRate, bareRate, batchedRate] = [
    rates.direct,
    rates.relay,
    rates.bare,
    rates.batched,
  ].map((r) => p(r, 0.5)) as [number, number, number, number]
  const against = (ratio: number) => `(target >= 0.80: ${ratio >= 0.8 ? 'met' : 'not met'})`
  console.log(
    `10,000 chunks    direct (SSE) ${fmt(directRate)} chunks/s, through /chat ${fmt(relayRate)} chunks/s, ` +
      `ratio ${fmt(relayRate / directRate, 2)} ${against(relayRate / directRate)}\n` +
      `                 bare WebSocket server sending the same messages ${fmt(bareRate)} chunks/s: ` +
      `/chat reaches ${fmt(relayRate / bareRate, 2)} of what one WebSocket client can take in\n` +
      `                 batched (/chat with "batch": true) ${fmt(batchedRate)} chunks/s, ` +
      `ratio ${fmt(batchedRate / directRate, 2)} vs direct ${against(batchedRate / directRate)}`,
  )
  relay.close()

  // 3. 200 streaming chats at once over 50 sockets (4 each, the default limit), 100 chunks 5 ms apart.
  const sockets = await Promise.all(Array.from({ length: 50 }, chatSocket))
  const t = performance.now()
  const results = await Promise.allSettled(sockets.flatMap((s) => [1, 2, 3, 4].map(() => s.chat('n:100:5'))))
  const wall = performance.now() - t
  const ok = results.filter((r) => r.status === 'fulfilled' && r.value.chunks === 101).length
  const failed = results.filter((r) => r.status === 'rejected')
  console.log(
    `concurrency      200 chats over 50 sockets: ${ok} complete, ${results.length - ok} failed, ` +
      `${fmt(ok * 101)} chunks in ${fmt(wall)} ms (target: all complete)`,
  )
  for (const f of failed.slice(0, 3)) console.log(`  failure: ${(f as PromiseRejectedResult).reason}`)
  for (const s of sockets) s.close()
} finally {
  automcp.kill('SIGTERM')
  upstreamProc.kill()
  await automcp.exited
}
