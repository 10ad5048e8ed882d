// An OpenAI-compatible upstream for the chat benchmark, in its own process. The model name says what to
// stream: `n:<chunks>:<ms between chunks>`; chunks are written in groups when there is no pause, as a
// fast upstream's TCP writes would carry them.
const encoder = new TextEncoder()
const event = (i: number, finish: string | null) =>
  `data: ${JSON.stringify({
    id: 'gen-bench',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'bench',
    choices: [{ index: 0, delta: { content: `tok${i} ` }, finish_reason: finish }],
  })}\n\n`
const usage = `data: ${JSON.stringify({ id: 'gen-bench', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } })}\n\ndata: [DONE]\n\n`

// The stream of each model name, encoded once: on a 2-core machine the stand-in should spend as little
// CPU as it can, since in the relayed case it shares the cores with AutoMCP and the client.
const bodies = new Map<string, Uint8Array[]>()
function bodyOf(model: string): { parts: Uint8Array[]; delay: number } {
  const [, n = '5', pause = '0'] = model.split(':')
  const count = Number(n)
  const delay = Number(pause)
  let parts = bodies.get(model)
  if (!parts) {
    parts = []
    let batch = ''
    for (let i = 0; i < count; i++) {
      batch += event(i, i === count - 1 ? 'stop' : null)
      if (delay > 0 || i === 0 || batch.length > 16_384) {
        parts.push(encoder.encode(batch))
        batch = ''
      }
    }
    parts.push(encoder.encode(batch + usage))
    bodies.set(model, parts)
  }
  return { parts, delay }
}

// The ceiling for any relay: a bare WebSocket server sending the /chat messages of a stream, prepared in
// advance, in the same batches, to a client that reads them like a /chat client.
const envelopes = (model: string) =>
  new TextDecoder()
    .decode(Buffer.concat(bodyOf(model).parts))
    .split('\n\n')
    .filter((e) => e.startsWith('data: {'))
    .map((e) => `{"type":"chunk","id":"c","data":${e.slice(6)}}`)

const server = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  idleTimeout: 0,
  websocket: {
    message(ws, model) {
      const all = envelopes(String(model))
      for (let i = 0; i < all.length; i += 90)
        ws.cork(() => {
          for (const m of all.slice(i, i + 90)) ws.send(m)
        })
      ws.send('{"type":"done","id":"c"}')
    },
  },
  async fetch(req, srv) {
    if (new URL(req.url).pathname === '/ws-ceiling')
      return srv.upgrade(req) ? undefined : new Response(null, { status: 400 })
    const { parts, delay } = bodyOf(((await req.json()) as { model: string }).model)
    return new Response(
      new ReadableStream({
        async pull(controller) {
          for (const part of parts) {
            controller.enqueue(part)
            if (delay > 0) await Bun.sleep(delay)
          }
          controller.close()
        },
      }),
      { headers: { 'content-type': 'text/event-stream' } },
    )
  },
})
console.log(JSON.stringify({ port: server.port }))

export {}
