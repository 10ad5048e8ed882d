import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test'
import OpenAI from 'openai'
import { adminKey, startApp, type TestApp } from './helpers/app'
import { type Everything, startEverything } from './helpers/peers'
import { type Reply, type ToolRequest, toolMessages, toolUpstream } from './helpers/tool-upstream'

let everything: Everything
beforeAll(async () => {
  everything = await startEverything('streamableHttp')
})
afterAll(() => everything.stop())

let api: TestApp
let upstream: ReturnType<typeof toolUpstream>
afterEach(async () => {
  await api?.stop()
  upstream?.stop()
})

/** The app with the reference server registered and healthy, and an OpenAI client pointed at it. */
async function setup(reply: (request: ToolRequest, n: number) => Reply | Promise<Reply>, config = {}) {
  upstream = toolUpstream(reply)
  api = await startApp({ config: { upstreamUrl: upstream.url, ...config } })
  await api.post('/servers/register', { id: 'ref', name: 'Everything', url: everything.url })
  const checked = (await (await api.request('/servers/ref/test', { method: 'POST' })).json()) as {
    status: string
  }
  expect(checked.status).toBe('healthy')
  return new OpenAI({ baseURL: `${api.base}/v1`, apiKey: adminKey, maxRetries: 0 })
}

// The model adds with get-sum, then echoes the sum, then answers with what it saw.
const sumThenEcho = (req: ToolRequest): Reply => {
  const results = toolMessages(req)
  if (results.length === 0) return { calls: [{ name: 'Everything__get-sum', arguments: { a: 2, b: 3 } }] }
  if (results.length === 1)
    return { calls: [{ name: 'Everything__echo', arguments: { message: 'sum done' } }] }
  return { content: `Results: ${results.map((m) => m.content).join(' | ')}` }
}

describe('OpenAI-compatible API, driven by the openai SDK', () => {
  test('non-streaming: the tools run inside AutoMCP; the answer lists the calls made', async () => {
    const client = await setup(sumThenEcho)
    const completion = await client.chat.completions.create({
      model: 'fake/tool-model',
      messages: [{ role: 'user', content: 'add 2 and 3, then echo' }],
    })
    const answer = completion.choices[0]?.message.content ?? ''
    expect(answer).toContain('5')
    expect(answer).toContain('Echo: sum done')
    expect(completion.choices[0]?.message.tool_calls).toBeUndefined()
    expect(completion.usage?.total_tokens).toBe(45) // three steps of 15
    const ext = (
      completion as unknown as { automcp: { tool_calls: Record<string, unknown>[]; steps: number } }
    ).automcp
    expect(ext.steps).toBe(3)
    expect(ext.tool_calls.map((c) => [c.name, c.server_id, c.ok])).toEqual([
      ['Everything__get-sum', 'ref', true],
      ['Everything__echo', 'ref', true],
    ])
    // Tools were offered without the client asking: a plain OpenAI client gets them.
    expect(upstream.seen[0]?.tools?.length).toBeGreaterThan(0)
  }, 20_000)

  test('streaming: content chunks only, no tool-call deltas, usage and the calls at the end', async () => {
    const client = await setup(sumThenEcho)
    const stream = await client.chat.completions.create({
      model: 'fake/tool-model',
      messages: [{ role: 'user', content: 'add 2 and 3, then echo' }],
      stream: true,
      stream_options: { include_usage: true },
    })
    let text = ''
    const finishes: string[] = []
    let last: Record<string, unknown> = {}
    for await (const chunk of stream) {
      const choice = chunk.choices[0]
      expect(choice?.delta.tool_calls).toBeUndefined()
      if (choice?.delta.content) text += choice.delta.content
      if (choice?.finish_reason) finishes.push(choice.finish_reason)
      last = chunk as unknown as Record<string, unknown>
    }
    expect(text).toContain('Echo: sum done')
    expect(finishes).toEqual(['stop'])
    expect(last.usage).toMatchObject({ total_tokens: 45 })
    expect((last.automcp as { tool_calls: unknown[] }).tool_calls).toHaveLength(2)
  }, 20_000)

  test('client function tools pass through untouched; tools: "none" offers none', async () => {
    const client = await setup(() => ({ content: 'ok' }))
    const own = [{ type: 'function' as const, function: { name: 'mine', parameters: { type: 'object' } } }]
    await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      tools: own,
    })
    expect(upstream.seen[0]?.tools).toEqual(own)
    await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      // @ts-expect-error AutoMCP's extension of the request
      tools: 'none',
    })
    expect(upstream.seen[1]?.tools).toBeUndefined()
  }, 20_000)

  test('errors reach the SDK with their status and message; GET /v1/models lists the models', async () => {
    const client = await setup(() => ({ content: 'ok' }))
    const models = await client.models.list()
    expect(models.data.map((m) => m.id)).toEqual(['fake/tool-model'])
    const bad = new OpenAI({ baseURL: `${api.base}/v1`, apiKey: 'amcp_wrong-key-1234567890', maxRetries: 0 })
    const refused = await bad.models.list().catch((e) => e)
    expect(refused).toBeInstanceOf(OpenAI.AuthenticationError)
    expect(refused.message).toContain('unknown or revoked')
    const invalid = await client.chat.completions.create({ model: 'm', messages: [] }).catch((e) => e)
    expect(invalid).toBeInstanceOf(OpenAI.APIError)
    expect(invalid.status).toBe(422)
    expect(invalid.message).toContain('messages')
    const ask = await client.chat.completions
      // @ts-expect-error AutoMCP's extension of the request
      .create({ model: 'm', messages: [{ role: 'user', content: 'x' }], tool_approval: 'ask' })
      .catch((e) => e)
    expect(ask.status).toBe(422)
    expect(ask.message).toContain('/chat')
  }, 20_000)

  test('upstream failures: 429 keeps its status, 503 is a 502, a failure mid-stream is an error event', async () => {
    const client = await setup((req) => {
      const said = String(req.messages[0]?.content)
      if (said === 'limited') return { fail: { status: 429, message: 'Rate limit exceeded: slow down' } }
      if (said === 'down') return { fail: { status: 503, message: 'No provider available' } }
      return {
        content: 'half an answer ',
        fail: { status: 502, message: 'Provider disconnected', midStream: true },
      }
    })
    const ask = (content: string) =>
      client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content }] })
    const askStream = (content: string) =>
      client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content }], stream: true })
    const limited = await ask('limited').catch((e) => e)
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError)
    expect(limited.message).toContain('Rate limit exceeded: slow down')
    const down = await askStream('down').catch((e) => e)
    expect(down.status).toBe(502)
    expect(down.error).toMatchObject({ code: 'upstream_unavailable' })
    // After the 200 and some text: the SDK raises the error event.
    let text = ''
    const cut = await (async () => {
      for await (const chunk of await askStream('cut')) text += chunk.choices[0]?.delta.content ?? ''
    })().catch((e) => e)
    expect(text).toBe('half an answer ')
    expect(cut).toBeInstanceOf(OpenAI.APIError)
    expect(cut.message).toContain('Provider disconnected')
  }, 20_000)

  test('a client that goes away mid-chat aborts the upstream request', async () => {
    const gate = Promise.withResolvers<void>()
    const client = await setup(async (req) => {
      if (toolMessages(req).length === 0)
        return { calls: [{ name: 'Everything__echo', arguments: { message: 'x' } }] }
      await gate.promise // the second step hangs until the test lets it go
      return { content: 'too late' }
    })
    const controller = new AbortController()
    const pending = client.chat.completions
      .create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, { signal: controller.signal })
      .catch((e) => e)
    while (upstream.seen.length < 2) await Bun.sleep(10)
    controller.abort()
    expect(await pending).toBeInstanceOf(OpenAI.APIUserAbortError)
    // AutoMCP's chat ends as cancelled (logged), not as done.
    for (let i = 0; i < 100 && !api.logs.some((l) => l.msg === 'chat' && l.outcome === 'cancelled'); i++)
      await Bun.sleep(10)
    gate.resolve()
    expect(api.logs.find((l) => l.msg === 'chat')).toMatchObject({
      route: '/v1/chat/completions',
      outcome: 'cancelled',
    })
  }, 20_000)

  test('a stream that goes quiet while a tool runs gets keep-alive comments, which SDKs skip', async () => {
    const client = await setup(
      (req) =>
        toolMessages(req).length === 0
          ? {
              calls: [
                { name: 'Everything__trigger-long-running-operation', arguments: { duration: 1, steps: 1 } },
              ],
            }
          : { content: 'finished' },
      { keepAliveMs: 150 },
    )
    const res = await api.post('/v1/chat/completions', {
      model: 'm',
      messages: [{ role: 'user', content: 'wait' }],
      stream: true,
    })
    const text = await res.text()
    // The tool took a second, and the stream had nothing else to say meanwhile.
    expect(text.split(': keep-alive\n\n').length - 1).toBeGreaterThanOrEqual(4)
    expect(text.indexOf(': keep-alive')).toBeLessThan(text.indexOf('finished'))
    expect(text).toContain('"content":"finished"')
    let seen = ''
    for await (const chunk of await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'wait' }],
      stream: true,
    }))
      seen += chunk.choices[0]?.delta.content ?? ''
    expect(seen).toBe('finished')
  }, 20_000)
})
