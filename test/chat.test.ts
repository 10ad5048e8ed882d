import { afterEach, beforeEach, expect, test } from 'bun:test'
import { ChatModel } from '../src/modules/chat/model'
import type { ServiceConfig } from '../src/services'
import { json, startApp, type TestApp } from './helpers/app'
import { freePort, healthServer } from './helpers/peers'
import { rawWebSocket } from './helpers/raw-ws'
import {
  bulkChunks,
  chunk,
  completion,
  cuttingUpstream,
  type FakeUpstream,
  fakeUpstream,
  models,
  sse,
  steppedUpstream,
  usage,
} from './helpers/upstream'
import { connectWs } from './helpers/ws'

let upstream: FakeUpstream
let api: TestApp
let clock = 1_000_000

const start = async (config: Partial<ServiceConfig> = {}) => {
  api = await startApp({
    config: { upstreamUrl: upstream.url, upstreamIdleTimeoutMs: 300, ...config },
    now: () => clock,
  })
  return api
}

beforeEach(async () => {
  upstream = fakeUpstream()
  await start()
})
afterEach(async () => {
  await api.stop()
  upstream.stop()
})

const chatSocket = () => connectWs(api.ws('/chat'))
type Client = Awaited<ReturnType<typeof chatSocket>>
const ends = new Set(['done', 'response', 'error', 'cancelled'])

/** Every message of chat `id` up to and including the one that ends it. */
// biome-ignore lint/suspicious/noExplicitAny: the assertions that follow check the shapes
async function conversation(client: Client, id: unknown): Promise<any[]> {
  const out = []
  for (;;) {
    const m = await client.next((m) => m.id === id)
    out.push(m)
    if (ends.has(m.type)) return out
  }
}

const hello = [{ role: 'user', content: 'Say hello' }]

/** The socket still answers after an error. */
async function expectAlive(client: Client) {
  client.send({ type: 'ping' })
  expect(await client.next((m) => m.type === 'pong')).toEqual({ type: 'pong' })
}

test('a streaming chat relays every chunk as sent, then done with finish_reason and usage', async () => {
  const client = await chatSocket()
  client.send({ type: 'chat', id: 'c1', model: 'normal', messages: hello, stream: true, temperature: 0.2 })
  const messages = await conversation(client, 'c1')
  expect(messages.map((m) => m.type)).toEqual(['chunk', 'chunk', 'chunk', 'chunk', 'done'])
  expect(messages.slice(0, 4).map((m) => m.data)).toEqual([
    chunk('Hel'),
    chunk('lo'),
    chunk('', 'stop'),
    { ...chunk(''), choices: [], usage },
  ])
  expect(messages[4]).toEqual({ type: 'done', id: 'c1', finish_reason: 'stop', usage })

  const sent = upstream.seen[0]
  expect(sent?.path).toBe('/api/v1/chat/completions')
  expect(sent?.body).toEqual({
    model: 'normal',
    messages: hello,
    temperature: 0.2,
    stream: true,
    stream_options: { include_usage: true },
  })
  expect(sent?.headers.get('authorization')).toBeNull() // no key configured, none sent
  const log = api.logs.find((l) => l.msg === 'chat')
  expect(log).toMatchObject({
    id: 'c1',
    model: 'normal',
    stream: true,
    outcome: 'done',
    finish_reason: 'stop',
  })
  expect(JSON.stringify(api.logs)).not.toContain('Say hello') // what people say stays out of the log
  client.close()
})

test('with batch, each read arrives as one chunks message: the same chunks in the same order', async () => {
  // The fake upstream, the relay and this client share one thread: while the client parses 100,000
  // messages, the upstream cannot write. The real idle timeout (60 s) then, not this file's 300 ms.
  await api.stop()
  await start({ upstreamIdleTimeoutMs: 60_000 })
  const client = await chatSocket()
  /** The chunks of one streaming chat in the order they came, flattened out of `chunks` messages. */
  const relayed = async (id: string, model: string, batch?: boolean) => {
    client.send({ id, model, messages: hello, stream: true, ...(batch === undefined ? {} : { batch }) })
    const end = await client.next((m) => m.id === id && ends.has(m.type), 30_000)
    const mine = client.messages.filter((m) => m.id === id)
    client.messages.length = 0
    return {
      messages: mine.length,
      types: new Set(mine.map((m) => m.type)),
      data: mine.flatMap((m) => (m.type === 'chunks' ? m.data : [m.data])),
      end,
    }
  }
  // `normal` has comment lines and a usage chunk; `bulk` (100,001 chunks at once) spans many reads.
  for (const model of ['normal', 'bulk']) {
    const one = await relayed(`${model}-1`, model)
    const off = await relayed(`${model}-0`, model, false)
    const batched = await relayed(`${model}-b`, model, true)
    expect(one.types).toEqual(new Set(['chunk']))
    expect(off.types).toEqual(new Set(['chunk']))
    expect(batched.types).toEqual(new Set(['chunks']))
    const deltas = (data: { choices: { delta?: { content?: string } }[] }[]) =>
      data.map((d) => d.choices[0]?.delta?.content ?? null)
    expect(deltas(batched.data)).toEqual(deltas(one.data))
    expect(batched.data).toEqual(one.data)
    expect(off.data).toEqual(one.data)
    expect(batched.end).toEqual({ ...one.end, id: `${model}-b` })
    expect(batched.end).toMatchObject({ type: 'done', finish_reason: 'stop' })
  }
  expect(upstream.seen).toHaveLength(6)
  client.close()
}, 60_000)

test('with batch, each read of the upstream is one chunks message, holding exactly what it read', async () => {
  // How many reads a stream takes depends on the machine; here each read is one write of the upstream,
  // sent only once the previous one has reached the client (however long that takes: the real idle timeout).
  const stepped = steppedUpstream()
  await api.stop()
  await start({ upstreamUrl: stepped.url, upstreamIdleTimeoutMs: 60_000 })
  const client = await chatSocket()
  client.send({ id: 'b', model: 'any', messages: hello, stream: true, batch: true })
  const reads = [
    [chunk('one '), chunk('two '), chunk('three ')],
    [chunk('four ')],
    [chunk('five '), chunk('', 'stop'), { ...chunk(''), choices: [], usage }],
  ]
  for (const read of reads) {
    await stepped.write(read.map(sse).join(''))
    expect(await client.next((m) => m.id === 'b')).toEqual({ type: 'chunks', id: 'b', data: read })
  }
  await stepped.write(sse('[DONE]'))
  expect(await client.next((m) => m.id === 'b')).toEqual({
    type: 'done',
    id: 'b',
    finish_reason: 'stop',
    usage,
  })
  client.close()
  stepped.stop()
})

test('batch is not sent to the upstream, and is ignored without stream', async () => {
  const client = await chatSocket()
  client.send({ id: 's', model: 'normal', messages: hello, stream: true, batch: true, temperature: 0.2 })
  expect((await conversation(client, 's')).at(-1).type).toBe('done')
  client.send({ id: 'r', model: 'any', messages: hello, batch: true })
  expect(await client.next((m) => m.id === 'r')).toEqual({ type: 'response', id: 'r', data: completion })
  expect(upstream.seen.map((s) => s.body)).toEqual([
    {
      model: 'normal',
      messages: hello,
      temperature: 0.2,
      stream: true,
      stream_options: { include_usage: true },
    },
    { model: 'any', messages: hello, stream: false },
  ])
  client.close()
})

test('a non-streaming chat answers one response; the seed bare ChatRequest gets a generated id', async () => {
  const client = await chatSocket()
  client.send({ type: 'chat', id: 7, model: 'any', messages: hello, stream: false })
  expect(await client.next((m) => m.id === 7)).toEqual({ type: 'response', id: 7, data: completion })

  client.send({ model: 'any', messages: hello, max_tokens: 50 }) // the seed's shape
  const seed = await client.next((m) => m.type === 'response' && m.id !== 7)
  expect(seed.id).toBeString()
  expect(seed.id.length).toBeGreaterThan(8)
  expect(seed.data).toEqual(completion)
  expect(upstream.seen[1]?.body).toMatchObject({ stream: false, max_tokens: 50 })
  client.close()
})

test('the configured key is sent as a bearer token', async () => {
  await api.stop()
  await start({ upstreamApiKey: 'sk-or-test' })
  const client = await chatSocket()
  client.send({ id: 'k', model: 'any', messages: hello })
  await client.next((m) => m.type === 'response')
  expect(upstream.seen[0]?.headers.get('authorization')).toBe('Bearer sk-or-test')
  client.close()
})

test('an error in the middle of a 200 stream ends that chat only; the socket keeps working', async () => {
  const client = await chatSocket()
  client.send({ id: 'e', model: 'mid-error', messages: hello, stream: true })
  const messages = await conversation(client, 'e')
  expect(messages.map((m) => m.type)).toEqual(['chunk', 'error'])
  expect(messages[1].error).toEqual({
    code: 'upstream_unavailable',
    message: 'Provider disconnected',
    status: 502,
  })

  client.send({ type: 'ping' })
  expect(await client.next((m) => m.type === 'pong')).toEqual({ type: 'pong' })
  client.send({ id: 'after', model: 'normal', messages: hello, stream: true })
  expect((await conversation(client, 'after')).at(-1).type).toBe('done')
  client.close()
})

test('HTTP errors before the stream carry the upstream status and message', async () => {
  const client = await chatSocket()
  for (const [status, code] of [
    [400, 'upstream_bad_request'],
    [401, 'upstream_unauthorized'],
    [402, 'upstream_payment_required'],
    [408, 'upstream_timeout'],
    [429, 'upstream_rate_limited'],
    [503, 'upstream_unavailable'],
    [500, 'upstream_error'],
  ] as const) {
    client.send({ id: `h${status}`, model: `http-${status}`, messages: hello, stream: true })
    const [error] = await conversation(client, `h${status}`)
    expect(error).toEqual({
      type: 'error',
      id: `h${status}`,
      error: { code, status, message: `Upstream says ${status}` },
    })
  }
  client.close()
})

test('a stream without [DONE] that finished is done; one cut mid-stream is an error', async () => {
  const client = await chatSocket()
  client.send({ id: 'n', model: 'no-done', messages: hello, stream: true })
  expect((await conversation(client, 'n')).at(-1)).toMatchObject({ type: 'done', finish_reason: 'length' })
  // JSON with spaces after the colons (as Python writes it) is read the same.
  client.send({ id: 's', model: 'spaced', messages: hello, stream: true })
  const spaced = await conversation(client, 's')
  expect(spaced.filter((m) => m.type === 'chunk')).toHaveLength(3)
  expect(spaced.at(-1)).toEqual({ type: 'done', id: 's', finish_reason: 'stop', usage })
  client.send({ id: 'se', model: 'spaced-error', messages: hello, stream: true })
  expect((await conversation(client, 'se')).at(-1)).toMatchObject({
    type: 'error',
    error: { code: 'upstream_unavailable', status: 503, message: 'Overloaded' },
  })

  client.close()

  const cutting = cuttingUpstream()
  await api.stop()
  await start({ upstreamUrl: cutting.url })
  const again = await chatSocket()
  again.send({ id: 'cut', model: 'any', messages: hello, stream: true })
  const messages = await conversation(again, 'cut')
  expect(messages.map((m) => m.type)).toEqual(['chunk', 'error'])
  expect(messages[1].error).toMatchObject({ code: 'upstream_disconnected', status: 502 })
  await expectAlive(again)
  again.close()
  cutting.stop()
})

test('a stream that stalls hits the idle timeout, and the upstream request is aborted', async () => {
  const client = await chatSocket()
  const started = performance.now()
  client.send({ id: 's', model: 'stall', messages: hello, stream: true })
  const messages = await conversation(client, 's')
  expect(messages.map((m) => m.type)).toEqual(['chunk', 'error'])
  expect(messages[1].error).toMatchObject({
    code: 'upstream_timeout',
    message: expect.stringContaining('300 ms'),
  })
  expect(performance.now() - started).toBeGreaterThanOrEqual(290)
  await Bun.sleep(50)
  expect(upstream.seen[0]?.abortedAt).toBeNumber()
  await expectAlive(client)
  client.close()
})

test('an error status whose body never comes, and a slow non-streaming answer that keeps sending', async () => {
  const client = await chatSocket()
  client.send({ id: 'h', model: 'http-stall', messages: hello, stream: true })
  const [error] = await conversation(client, 'h')
  expect(error.error).toMatchObject({ code: 'upstream_timeout', message: expect.stringContaining('300 ms') })
  // 600 ms in all, never 300 ms silent: the idle timeout is between reads, not for the whole answer.
  client.send({ id: 'b', model: 'slow-body', messages: hello })
  expect(await client.next((m) => m.id === 'b', 3_000)).toEqual({
    type: 'response',
    id: 'b',
    data: completion,
  })
  client.close()
})

test('a client that stops reading pauses its stream (not an idle upstream), which resumes in full', async () => {
  const raw = await rawWebSocket(api.ws('/chat'))
  raw.pause()
  raw.send(JSON.stringify({ id: 'big', model: 'bulk', messages: hello, stream: true }))
  await Bun.sleep(800) // well past the 300 ms idle timeout
  // Unthrottled, the stream would have been relayed and logged within this time.
  expect(api.logs.filter((l) => l.msg === 'chat')).toEqual([])
  expect(upstream.seen[0]?.abortedAt).toBeUndefined()
  raw.resume()
  const end = await raw.until((m) => m.type === 'done' || m.type === 'error')
  expect(end).toMatchObject({ type: 'done', finish_reason: 'stop' })
  expect(raw.messages.filter((m) => m.type === 'chunk')).toHaveLength(bulkChunks + 1)
  raw.close()
})

test('an upstream that is slow to answer hits the first-byte timeout', async () => {
  await api.stop()
  await start({ upstreamTimeoutMs: 200 })
  const client = await chatSocket()
  client.send({ id: 'slow', model: 'slow-headers', messages: hello, stream: true })
  const [error] = await conversation(client, 'slow')
  expect(error.error).toMatchObject({ code: 'upstream_timeout', message: expect.stringContaining('200 ms') })
  await expectAlive(client)
  client.close()
})

test('cancel aborts the upstream request and ends the chat with cancelled', async () => {
  const client = await chatSocket()
  client.send({ id: 'x', model: 'slow', messages: hello, stream: true })
  await client.next((m) => m.id === 'x' && m.type === 'chunk')
  client.send({ type: 'cancel', id: 'x' })
  const rest = await conversation(client, 'x')
  expect(rest.at(-1)).toEqual({ type: 'cancelled', id: 'x' })
  await Bun.sleep(100)
  expect(upstream.seen[0]?.abortedAt).toBeNumber()
  expect(client.messages.filter((m) => m.id === 'x')).toEqual([]) // nothing after cancelled

  client.send({ type: 'cancel', id: 'x' })
  expect((await client.next((m) => m.type === 'error')).error.code).toBe('unknown_id')
  client.close()
})

test('closing the socket aborts every upstream request it started within 100 ms', async () => {
  const client = await chatSocket()
  for (const id of ['a', 'b', 'c']) client.send({ id, model: 'slow', messages: hello, stream: true })
  await Promise.all(['a', 'b', 'c'].map((id) => client.next((m) => m.id === id && m.type === 'chunk')))
  const closedAt = performance.now()
  client.close()
  await Bun.sleep(150)
  expect(upstream.seen).toHaveLength(3)
  for (const seen of upstream.seen) {
    expect(seen.abortedAt).toBeNumber()
    expect((seen.abortedAt as number) - closedAt).toBeLessThan(100)
  }
})

test('chats run concurrently by id, up to the per-socket limit; a running id cannot be reused', async () => {
  const client = await chatSocket()
  for (const id of [1, 2, 3, 4]) client.send({ id, model: 'slow', messages: hello, stream: true })
  await Promise.all([1, 2, 3, 4].map((id) => client.next((m) => m.id === id && m.type === 'chunk')))

  client.send({ id: 5, model: 'normal', messages: hello, stream: true })
  expect(await client.next((m) => m.id === 5)).toMatchObject({
    type: 'error',
    error: { code: 'too_many_requests' },
  })
  client.send({ type: 'cancel', id: 4 })
  await client.next((m) => m.id === 4 && m.type === 'cancelled')
  client.send({ id: 1, model: 'normal', messages: hello, stream: true })
  expect(await client.next((m) => m.id === 1 && m.type === 'error')).toMatchObject({
    error: { code: 'duplicate_id' },
  })
  client.send({ id: 5, model: 'normal', messages: hello, stream: true })
  expect((await conversation(client, 5)).at(-1).type).toBe('done')
  // The other chats kept streaming, each under its own id.
  for (const id of [1, 2, 3])
    expect(await client.next((m) => m.id === id && m.type === 'chunk')).toBeDefined()
  client.close()
})

test('bad input gets a typed error naming the problem, and the socket stays open', async () => {
  const client = await chatSocket()
  const cases: [unknown, string, string | null, RegExp][] = [
    ['{not json', 'invalid_json', null, /JSON object/],
    [[1, 2], 'invalid_json', null, /JSON object/],
    [{ type: 'shout', id: 'q' }, 'unknown_type', 'q', /"shout"/],
    [{ id: 'm', messages: hello }, 'invalid_request', 'm', /"model" is required/],
    [{ id: 'e', model: 'x', messages: [] }, 'invalid_request', 'e', /"messages"/],
    [
      { id: 'r', model: 'x', messages: [{ role: 'robot', content: 'hi' }] },
      'invalid_request',
      'r',
      /"messages.0.role"/,
    ],
    [{ id: 't', model: 'x', messages: hello, temperature: 'hot' }, 'invalid_request', 't', /"temperature"/],
    [{ id: 'b', model: 'x', messages: hello, stream: 'yes' }, 'invalid_request', 'b', /"stream"/],
    [
      { id: 'bt', model: 'x', messages: hello, stream: true, batch: 'yes' },
      'invalid_request',
      'bt',
      /"batch"/,
    ],
    [{ type: 'cancel' }, 'invalid_request', null, /"id" is required/],
    [
      { id: 'big', model: 'x', messages: [{ role: 'user', content: 'x'.repeat(300_000) }] },
      'message_too_large',
      'big',
      /262144/,
    ],
    // Counted in bytes: 100,000 characters of three bytes each.
    [
      { id: 'wide', model: 'x', messages: [{ role: 'user', content: '€'.repeat(100_000) }] },
      'message_too_large',
      'wide',
      /262144/,
    ],
    // Nested deeper than any chat needs: used to take a stack overflow and go unanswered.
    [
      `{"id":"deep","x":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`,
      'invalid_request',
      'deep',
      /at most 256 levels/,
    ],
  ]
  for (const [message, code, id, text] of cases) {
    client.send(message)
    const error = await client.next((m) => m.type === 'error')
    expect({ code: error.error.code, id: error.id }).toEqual({ code, id })
    expect(error.error.message).toMatch(text)
  }
  await expectAlive(client)
  expect(upstream.seen).toHaveLength(0)
  client.close()
})

test('a frame over 1 MB closes the socket with 1009', async () => {
  const client = await chatSocket()
  const closed = new Promise<number>((resolve) => client.ws.addEventListener('close', (e) => resolve(e.code)))
  client.send({ id: 'huge', model: 'x', messages: [{ role: 'user', content: 'x'.repeat(1_100_000) }] })
  expect(await closed).toBe(1009)
})

test('an upstream that cannot be reached is a chat error; the rest of the API keeps working', async () => {
  await api.stop()
  await start({ upstreamUrl: `http://127.0.0.1:${await freePort()}/v1` })
  const client = await chatSocket()
  client.send({ id: 'u', model: 'any', messages: hello, stream: true })
  const [error] = await conversation(client, 'u')
  expect(error.error.code).toBe('upstream_unreachable')
  await expectAlive(client)
  expect((await api.request('/health')).status).toBe(200)
  const res = await api.request('/chat/models')
  expect(res.status).toBe(502)
  expect(await json(res)).toMatchObject({
    code: 'upstream_unreachable',
    detail: expect.stringContaining('Cannot reach'),
  })
  client.close()
})

test('the model list is cached for its TTL, served stale when the upstream fails, 502 when never fetched', async () => {
  const first = await api.request('/chat/models')
  expect(first.status).toBe(200)
  expect(first.headers.get('x-cache')).toBe('miss')
  expect(await json(first)).toEqual(models)
  await Promise.all([1, 2, 3].map(() => api.request('/chat/models'))) // hits
  const again = await api.request('/chat/models', { method: 'POST' })
  expect(again.headers.get('x-cache')).toBe('hit')
  expect(await json(again)).toEqual(models)
  expect(upstream.modelsCalls).toBe(1)

  upstream.failModels(true)
  clock += 5 * 60_000
  const stale = await api.request('/chat/models')
  expect(stale.status).toBe(200)
  expect(stale.headers.get('x-cache')).toBe('stale')
  expect(await json(stale)).toEqual(models)
  expect(upstream.modelsCalls).toBe(2)

  // An upstream that hangs does not hold the list up for long: the old copy answers after 2 s at most.
  upstream.failModels(false)
  upstream.delayModels(5_000)
  clock += 5 * 60_000
  const t = performance.now()
  const slow = await api.request('/chat/models')
  expect(slow.headers.get('x-cache')).toBe('stale')
  expect(performance.now() - t).toBeLessThan(3_000)
  upstream.delayModels(0)

  await api.stop()
  await start()
  upstream.failModels(true)
  const misses = await Promise.all([1, 2, 3].map(() => api.request('/chat/models')))
  expect(upstream.modelsCalls).toBe(4) // three concurrent misses, one upstream request
  const none = misses[0] as Response
  expect(none.status).toBe(502)
  expect(await json(none)).toEqual({
    code: 'upstream_unauthorized',
    detail: "The upstream's model list failed (HTTP 401): No auth credentials found",
  })
})

test('chat sockets receive server_update events', async () => {
  const plain = healthServer()
  const client = await chatSocket()
  await api.post('/servers/register', { id: 'p', name: 'P', url: plain.url, transport: 'http' })
  await api.request('/servers/p/test', { method: 'POST' })
  const update = await client.next((m) => m.type === 'server_update' && m.data.id === 'p')
  expect(update).toMatchObject({ changed: true, data: { status: 'healthy' } })
  plain.stop()
  client.close()
})

// What the seed's clients send: pydantic writes each unset Optional field of its ChatRequest as null,
// e.g. ChatRequest(model="any", messages=[ChatMessage(role="user", content="Say hello")]).model_dump().
const seedChatRequest = {
  messages: [{ role: 'user', content: 'Say hello', name: null }],
  model: 'any',
  stream: false,
  temperature: 0.7,
  max_tokens: null,
}

test("the seed's ChatRequest, nulls and all, is answered on /chat and on /v1/chat/completions (#12)", async () => {
  const client = await chatSocket()
  client.send(seedChatRequest)
  expect(await client.next((m) => m.type === 'response' || m.type === 'error')).toMatchObject({
    type: 'response',
    data: completion,
  })
  client.close()
  const res = await api.post('/v1/chat/completions', seedChatRequest)
  expect(res.status).toBe(200)
  expect(upstream.seen).toHaveLength(2)
  for (const { body } of upstream.seen) {
    expect(body).not.toHaveProperty('max_tokens')
    expect(body.messages).toEqual([{ role: 'user', content: 'Say hello' }])
  }
})

test('every optional field of a chat may be null, which counts as absent, the same on both routes (#12)', async () => {
  const nulls = {
    stream: null,
    temperature: null,
    max_tokens: null,
    tools: null,
    servers: null,
    max_steps: null,
    tool_approval: null,
  }
  const messages = [{ role: 'user', content: 'Say hello', name: null }]
  const client = await chatSocket()
  client.send({ type: null, id: null, batch: null, model: 'any', messages, ...nulls })
  expect(await client.next((m) => m.type === 'response' || m.type === 'error')).toMatchObject({
    type: 'response',
    data: completion,
  })
  client.close()
  const res = await api.post('/v1/chat/completions', {
    model: 'any',
    messages,
    stream_options: null,
    ...nulls,
  })
  expect(res.status).toBe(200)
  expect(upstream.seen).toHaveLength(2)
  for (const { body } of upstream.seen) {
    expect(Object.values(body)).not.toContain(null)
    expect(body.messages).toEqual([{ role: 'user', content: 'Say hello' }])
  }
})

test('a wrong value of any chat field is refused naming the field and what it allows (#12)', async () => {
  const client = await chatSocket()
  const fields = Object.keys(ChatModel.chat.properties).filter((f) => f !== 'type') // `type` picks the message kind
  for (const field of fields) {
    const wrong = field === 'stream' || field === 'batch' ? 7 : true
    client.send({ id: 'w', model: 'any', messages: hello, [field]: wrong })
    const error = await client.next((m) => m.type === 'error')
    expect({ field, code: error.error.code, message: error.error.message }).toEqual({
      field,
      code: 'invalid_request',
      message: expect.stringMatching(new RegExp(`^chat field "${field}" must .+`)),
    })
  }
  expect(upstream.seen).toHaveLength(0)
  client.close()
})
