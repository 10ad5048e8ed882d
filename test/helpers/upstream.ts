/**
 * A fake OpenAI-compatible upstream speaking real SSE, the way OpenRouter does. The request's `model`
 * picks the behaviour; every request, and every request the client abandoned, is recorded.
 */
export type FakeUpstream = ReturnType<typeof fakeUpstream>

type Seen = { path: string; headers: Headers; body: Record<string, unknown>; abortedAt?: number }

const encoder = new TextEncoder()
export const sse = (data: unknown) => `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`

const spaced = (data: unknown) =>
  `data: ${JSON.stringify(data).replace(/":/g, '": ').replace(/,"/g, ', "')}\n\n`

export const chunk = (content: string, finish_reason: string | null = null) => ({
  id: 'gen-1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'fake/model',
  choices: [{ index: 0, delta: { content }, finish_reason }],
})
export const usage = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 }
export const completion = {
  id: 'gen-2',
  object: 'chat.completion',
  created: 1,
  model: 'fake/model',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' }],
  usage,
}
export const models = { data: [{ id: 'fake/model', name: 'Fake' }] }

/** Chunks in a stream as long as `bulk` sends, all at once: far more than a paused client can buffer. */
export const bulkChunks = 100_000
let bulkBody: Uint8Array<ArrayBuffer> | undefined
const bulk = () => {
  bulkBody ??= encoder.encode(
    Array.from({ length: bulkChunks }, (_, i) => sse(chunk(`token ${i} `))).join('') +
      sse(chunk('', 'stop')) +
      sse('[DONE]'),
  )
  return bulkBody
}

export function fakeUpstream() {
  const seen: Seen[] = []
  let modelsCalls = 0
  let modelsFail = false
  let modelsDelayMs = 0

  // One SSE body per scenario: `parts` are written in order, with a pause wherever a number stands.
  const scenarios: Record<string, (string | number)[]> = {
    normal: [
      ': OPENROUTER PROCESSING\n\n',
      sse(chunk('Hel')),
      ': OPENROUTER PROCESSING\n\n',
      sse(chunk('lo')),
      sse(chunk('', 'stop')),
      sse({ ...chunk(''), choices: [], usage }),
      sse('[DONE]'),
    ],
    'mid-error': [
      sse(chunk('Hel')),
      sse({
        ...chunk(''),
        error: { code: 502, message: 'Provider disconnected' },
        choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
      }),
    ],
    // No [DONE], but a finish_reason: some OpenAI-compatible servers end like this.
    'no-done': [sse(chunk('Hi')), sse(chunk('', 'length'))],
    // Python's json.dumps writes `"key": value`; a `"usage": null` and a `"finish_reason": null` on
    // every chunk are nothing, the last ones are the answer's.
    spaced: [
      spaced({ ...chunk('Hi'), usage: null }),
      spaced({ ...chunk('', 'stop'), usage: null }),
      spaced({ ...chunk(''), choices: [], usage }),
      sse('[DONE]'),
    ],
    'spaced-error': [spaced(chunk('Hi')), spaced({ error: { code: 503, message: 'Overloaded' } })],
  }

  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    idleTimeout: 0,
    async fetch(req) {
      const path = new URL(req.url).pathname
      if (path.endsWith('/models')) {
        modelsCalls++
        if (modelsDelayMs) await Bun.sleep(modelsDelayMs)
        if (modelsFail)
          return Response.json(
            { error: { code: 401, message: 'No auth credentials found' } },
            { status: 401 },
          )
        return Response.json(models)
      }
      const body = (await req.json()) as Record<string, unknown>
      const entry: Seen = { path, headers: req.headers, body }
      seen.push(entry)
      req.signal.addEventListener('abort', () => {
        entry.abortedAt = performance.now()
      })
      const model = String(body.model)
      const status = /^http-(\d+)$/.exec(model)
      if (status)
        return Response.json(
          { error: { code: Number(status[1]), message: `Upstream says ${status[1]}` } },
          { status: Number(status[1]) },
        )
      if (model === 'slow-headers') await Bun.sleep(1_000)
      // An error status whose body never arrives.
      if (model === 'http-stall') return new Response(paced([' '], 60_000), { status: 429 })
      // A non-streaming answer that takes 600 ms but keeps sending (whitespace) meanwhile.
      if (model === 'slow-body')
        return new Response(paced([...Array(6).fill(' '), JSON.stringify(completion)], 100))
      if (!body.stream) return Response.json(completion)
      if (model === 'bulk') return new Response(bulk(), { headers: { 'content-type': 'text/event-stream' } })
      const parts =
        scenarios[model] ??
        (model === 'stall'
          ? [sse(chunk('Hel')), 60_000]
          : model === 'slow'
            ? Array.from({ length: 200 }, (_, i) => [sse(chunk(`t${i}`)), 50]).flat()
            : (scenarios.normal as (string | number)[]))
      return new Response(
        new ReadableStream({
          async pull(controller) {
            for (const part of parts) {
              if (req.signal.aborted) return
              if (typeof part === 'number') await Bun.sleep(part)
              else controller.enqueue(encoder.encode(part))
            }
            controller.close()
          },
        }),
        { headers: { 'content-type': 'text/event-stream' } },
      )
    },
  })

  /** Writes `parts` with `ms` between them, then stays open. */
  function paced(parts: string[], ms: number) {
    return new ReadableStream({
      async pull(controller) {
        for (const part of parts) {
          controller.enqueue(encoder.encode(part))
          await Bun.sleep(ms)
        }
        if (ms < 60_000) controller.close()
      },
    })
  }

  return {
    url: `http://127.0.0.1:${server.port}/api/v1`,
    seen,
    get modelsCalls() {
      return modelsCalls
    },
    failModels(fail: boolean) {
      modelsFail = fail
    },
    delayModels(ms: number) {
      modelsDelayMs = ms
    },
    stop: () => server.stop(true),
  }
}

/** An upstream whose connection dies mid-stream: one chunk of a chunked SSE body, then the socket closes. */
export function cuttingUpstream() {
  const head = 'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n'
  const first = sse(chunk('Hel'))
  const server = Bun.listen({
    hostname: '127.0.0.1',
    port: 0,
    socket: {
      data(socket) {
        socket.write(`${head}${first.length.toString(16)}\r\n${first}\r\n`)
        setTimeout(() => socket.end(), 20)
      },
    },
  })
  return { url: `http://127.0.0.1:${server.port}/v1`, stop: () => server.stop(true) }
}

/**
 * An upstream that writes its SSE body a piece at a time, when the test says: each piece one chunked frame
 * in one write. Writing the next piece only once the last one was relayed, a test knows what each read of
 * the relay held, whatever the machine's speed.
 */
export function steppedUpstream() {
  const head = 'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n'
  const requested = Promise.withResolvers<{ write(text: string): number }>()
  let answered = false
  const server = Bun.listen({
    hostname: '127.0.0.1',
    port: 0,
    socket: {
      // The request may arrive in several reads: the response head goes out once.
      data(socket) {
        if (answered) return
        answered = true
        socket.write(head)
        requested.resolve(socket)
      },
    },
  })
  return {
    url: `http://127.0.0.1:${server.port}/v1`,
    /** Writes `part` (SSE text) as one chunk of the body, once the request has come. */
    async write(part: string) {
      const frame = `${Buffer.byteLength(part).toString(16)}\r\n${part}\r\n`
      ;(await requested.promise).write(frame)
    },
    stop: () => server.stop(true),
  }
}
