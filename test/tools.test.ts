import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test'
import { createHash } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { servers } from '../src/db/schema'
import { json, startApp, type TestApp } from './helpers/app'
import { type Everything, freePort, startEverything } from './helpers/peers'
import { scriptedMcp } from './helpers/scripted-mcp'
import { type Reply, type ToolRequest, toolMessages, toolUpstream } from './helpers/tool-upstream'
import { connectWs } from './helpers/ws'

// Two instances of the reference server, shared: `everything` is the server every test registers,
// `second` a different process, to tell which one a call went to.
let everything: Everything
let second: Everything
beforeAll(async () => {
  ;[everything, second] = await Promise.all([
    startEverything('streamableHttp'),
    startEverything('streamableHttp'),
  ])
})
afterAll(async () => {
  await Promise.all([everything.stop(), second.stop()])
})

let api: TestApp
let upstream: ReturnType<typeof toolUpstream>
// Peers a test started for itself, stopped after it whatever happened.
let cleanups: (() => unknown)[] = []
afterEach(async () => {
  await api?.stop()
  upstream?.stop()
  for (const cleanup of cleanups) await cleanup()
  cleanups = []
})

/** The app with the reference server registered (and checked, so healthy) and a scripted model. */
async function setup(reply: (request: ToolRequest, n: number) => Reply | Promise<Reply>, config = {}) {
  upstream = toolUpstream(reply)
  api = await startApp({ config: { upstreamUrl: upstream.url, ...config } })
  await register({ id: 'ref', name: 'Everything', url: everything.url }, 'healthy')
  return connectWs(api.ws('/chat'))
}
type Client = Awaited<ReturnType<typeof setup>>

/** Registers a server and checks it at once, expecting `status`. */
async function register(body: Record<string, unknown>, status: 'healthy' | 'unhealthy') {
  const res = await api.post('/servers/register', body)
  expect(res.status).toBe(201)
  const checked = await json(await api.request(`/servers/${body.id}/test`, { method: 'POST' }))
  expect(checked.status).toBe(status)
}

const ends = new Set(['done', 'response', 'error', 'cancelled'])

/** Every message of chat `id`, in the order they arrived, up to and including the one that ends it. */
// biome-ignore lint/suspicious/noExplicitAny: the assertions that follow check the shapes
async function conversation(ws: Client, id: string, timeoutMs = 10_000): Promise<any[]> {
  const out = []
  for (;;) {
    const m = await ws.next((m) => m.id === id, timeoutMs)
    out.push(m)
    if (ends.has(m.type)) return out
  }
}

const chat = (id: string, extra: Record<string, unknown> = {}) => ({
  type: 'chat',
  id,
  model: 'm',
  messages: [{ role: 'user', content: id }],
  stream: true,
  tools: 'auto',
  ...extra,
})

/** What the user said in the request: each chat's reply function uses it to tell chats apart. */
const said = (req: ToolRequest) => req.messages[0]?.content
const texts = (m: { content: { text?: string }[] }) => m.content.map((p) => p.text).join('\n')
const offered = (req: ToolRequest | undefined) => req?.tools?.map((t) => t.function.name)
const posts = (peer: Everything) => peer.lines.filter((l) => /Received MCP POST request/.test(l)).length

async function expectAlive(ws: Client) {
  ws.send({ type: 'ping' })
  expect(await ws.next((m) => m.type === 'pong')).toEqual({ type: 'pong' })
}

describe('tool use over /chat', () => {
  test('one step: the model calls echo, sees its result, and answers', async () => {
    const ws = await setup((req) =>
      toolMessages(req).length === 0
        ? { calls: [{ name: 'Everything__echo', arguments: { message: 'hi' } }] }
        : { content: `The tool said: ${toolMessages(req)[0]?.content}` },
    )
    ws.send({
      type: 'chat',
      id: 'c1',
      model: 'm',
      messages: [{ role: 'user', content: 'echo hi' }],
      stream: true,
      tools: 'auto',
    })
    const call = await ws.next((m) => m.type === 'tool_call')
    expect(call).toEqual({
      type: 'tool_call',
      id: 'c1',
      call: { id: 'call_1_0', name: 'Everything__echo', server_id: 'ref', arguments: { message: 'hi' } },
    })
    const result = await ws.next((m) => m.type === 'tool_result', 10_000)
    expect(result).toMatchObject({
      id: 'c1',
      call_id: 'call_1_0',
      ok: true,
      content: [{ type: 'text', text: 'Echo: hi' }],
    })
    const done = await ws.next((m) => m.type === 'done', 10_000)
    expect(done).toMatchObject({ id: 'c1', finish_reason: 'stop', steps: 2 })
    expect(done.usage.total_tokens).toBe(30)
    expect(offered(upstream.seen[0])).toContain('Everything__echo')
    expect(toolMessages(upstream.seen[1] as ToolRequest)).toEqual([
      { role: 'tool', tool_call_id: 'call_1_0', content: 'Echo: hi' },
    ])
  }, 20_000)

  test('several calls in one step run concurrently; their results reach the model in call order', async () => {
    const ws = await setup((req) =>
      toolMessages(req).length === 0
        ? {
            calls: [
              // 600 ms of work first, then an instant one: run one after the other, echo would wait.
              { name: 'Everything__trigger-long-running-operation', arguments: { duration: 0.6, steps: 1 } },
              { name: 'Everything__echo', arguments: { message: 'fast' } },
              { name: 'Everything__get-sum', arguments: { a: 20, b: 22 } },
            ],
          }
        : { content: 'all three done' },
    )
    ws.send(chat('par'))
    const messages = await conversation(ws, 'par')
    const tooling = messages.filter((m) => m.type === 'tool_call' || m.type === 'tool_result')
    // Every call is announced before any result comes back.
    expect(tooling.map((m) => m.type)).toEqual([
      'tool_call',
      'tool_call',
      'tool_call',
      'tool_result',
      'tool_result',
      'tool_result',
    ])
    expect(tooling.slice(0, 3).map((m) => m.call.id)).toEqual(['call_1_0', 'call_1_1', 'call_1_2'])
    // The quick calls finish while the slow one, asked for first, is still running: one at a time,
    // the slow one would have answered first.
    const results = tooling.slice(3)
    expect(results.at(-1).call_id).toBe('call_1_0')
    expect(results.every((r) => r.ok)).toBe(true)
    const slow = results.find((r) => r.call_id === 'call_1_0')
    const fast = results.find((r) => r.call_id === 'call_1_1')
    expect(slow.latency_ms).toBeGreaterThanOrEqual(550)
    expect(fast.latency_ms).toBeLessThan(slow.latency_ms)

    expect(messages.at(-1)).toMatchObject({ type: 'done', finish_reason: 'stop', steps: 2 })
    expect(upstream.seen).toHaveLength(2)
    const second = upstream.seen[1] as ToolRequest
    const assistant = second.messages.find((m) => m.role === 'assistant')
    expect(assistant?.tool_calls).toHaveLength(3)
    expect(toolMessages(second)).toEqual([
      {
        role: 'tool',
        tool_call_id: 'call_1_0',
        content: 'Long running operation completed. Duration: 0.6 seconds, Steps: 1.',
      },
      { role: 'tool', tool_call_id: 'call_1_1', content: 'Echo: fast' },
      { role: 'tool', tool_call_id: 'call_1_2', content: 'The sum of 20 and 22 is 42.' },
    ])
  }, 20_000)

  test('a multi-step chain: the second call uses what the first returned', async () => {
    const ws = await setup((req) => {
      const results = toolMessages(req)
      if (results.length === 0) return { calls: [{ name: 'Everything__get-sum', arguments: { a: 2, b: 3 } }] }
      if (results.length === 1) {
        const sum = /is (\d+)/.exec(String(results[0]?.content))?.[1]
        return { calls: [{ name: 'Everything__echo', arguments: { message: `sum=${sum}` } }] }
      }
      return { content: `Final: ${results[1]?.content}` }
    })
    ws.send(chat('chain'))
    const messages = await conversation(ws, 'chain')
    const calls = messages.filter((m) => m.type === 'tool_call').map((m) => m.call)
    expect(calls).toEqual([
      { id: 'call_1_0', name: 'Everything__get-sum', server_id: 'ref', arguments: { a: 2, b: 3 } },
      { id: 'call_2_0', name: 'Everything__echo', server_id: 'ref', arguments: { message: 'sum=5' } },
    ])
    const results = messages.filter((m) => m.type === 'tool_result')
    expect(results.map((r) => [r.call_id, r.ok, texts(r)])).toEqual([
      ['call_1_0', true, 'The sum of 2 and 3 is 5.'],
      ['call_2_0', true, 'Echo: sum=5'],
    ])
    const done = messages.at(-1)
    expect(done).toMatchObject({ type: 'done', finish_reason: 'stop', steps: 3 })
    expect(done.max_steps_reached).toBeUndefined()
    expect(done.usage).toMatchObject({ prompt_tokens: 30, completion_tokens: 15, total_tokens: 45 })
    // The final answer is streamed to the client as chunks.
    const streamed = messages
      .filter((m) => m.type === 'chunk')
      .map((m) => m.data.choices[0]?.delta?.content ?? '')
      .join('')
    expect(streamed).toContain('Final: Echo: sum=5')

    expect(upstream.seen).toHaveLength(3)
    const last = upstream.seen[2] as ToolRequest
    expect(last.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'tool'])
    expect(toolMessages(last)).toEqual([
      { role: 'tool', tool_call_id: 'call_1_0', content: 'The sum of 2 and 3 is 5.' },
      { role: 'tool', tool_call_id: 'call_2_0', content: 'Echo: sum=5' },
    ])
    // Only the last allowed request says tool_choice "none"; this chain never got there.
    expect(upstream.seen.map((r) => r.tool_choice)).toEqual([undefined, undefined, undefined])
  }, 20_000)

  test('a huge tool result is cut for the model and for the client', async () => {
    const big = 'x'.repeat(300_000)
    const ws = await setup((req) =>
      toolMessages(req).length === 0
        ? { calls: [{ name: 'Everything__echo', arguments: { message: big } }] }
        : { content: 'seen' },
    )
    ws.send(chat('big'))
    const messages = await conversation(ws, 'big')
    const text = texts(messages.find((m) => m.type === 'tool_result'))
    expect(text.length).toBeLessThan(70_000)
    expect(text).toStartWith('Echo: xxx')
    expect(text).toEndWith('[truncated]')
    const given = String(toolMessages(upstream.seen[1] as ToolRequest)[0]?.content)
    expect(given.length).toBeLessThan(70_000)
    expect(given).toEndWith('[truncated]')
    expect(messages.at(-1)).toMatchObject({ type: 'done', steps: 2 })
  }, 20_000)

  test('failing calls give the model an error result and the chat goes on', async () => {
    const ws = await setup((req) =>
      toolMessages(req).length === 0
        ? {
            calls: [
              { name: 'Everything__get-sum', arguments: { a: 'two', b: 3 } },
              { name: 'Nope__missing', arguments: {} },
              { name: 'Everything__echo', arguments: '{"message": "unterminated' },
              { name: 'Everything__echo', arguments: '["not", "an", "object"]' },
            ],
          }
        : { content: 'I could not do it' },
    )
    ws.send(chat('errs'))
    const messages = await conversation(ws, 'errs')
    const calls = messages.filter((m) => m.type === 'tool_call').map((m) => m.call)
    expect(calls[1]).toEqual({ id: 'call_1_1', name: 'Nope__missing', server_id: null, arguments: {} })
    // Arguments that are not a JSON object are reported as the model wrote them.
    expect(calls[2]).toMatchObject({ server_id: 'ref', arguments: '{"message": "unterminated' })
    expect(calls[3]).toMatchObject({ server_id: 'ref', arguments: '["not", "an", "object"]' })

    const results = new Map(messages.filter((m) => m.type === 'tool_result').map((m) => [m.call_id, m]))
    expect(results.size).toBe(4)
    for (const r of results.values()) expect(r.ok).toBe(false)
    // get-sum refused its arguments (MCP isError): the server's own words.
    expect(texts(results.get('call_1_0'))).toMatch(
      /Input validation error|Invalid arguments|expected number/i,
    )
    expect(texts(results.get('call_1_1'))).toBe('There is no tool named "Nope__missing"')
    expect(texts(results.get('call_1_2'))).toBe('The arguments are not a JSON object')
    expect(texts(results.get('call_1_3'))).toBe('The arguments are not a JSON object')
    expect(messages.at(-1)).toMatchObject({ type: 'done', finish_reason: 'stop', steps: 2 })

    const given = toolMessages(upstream.seen[1] as ToolRequest)
    expect(given.map((m) => m.tool_call_id)).toEqual(['call_1_0', 'call_1_1', 'call_1_2', 'call_1_3'])
    for (const m of given) expect(String(m.content)).toStartWith('Error: ')
    expect(given[1]?.content).toBe('Error: There is no tool named "Nope__missing"')
    // The model sees what it wrote, as it wrote it, in the assistant message it is answered on.
    const assistant = upstream.seen[1]?.messages.find((m) => m.role === 'assistant')
    const written = (assistant?.tool_calls ?? []) as { function: { arguments: string } }[]
    expect(written.map((c) => c.function.arguments)).toEqual([
      '{"a":"two","b":3}',
      '{}',
      '{"message": "unterminated',
      '["not", "an", "object"]',
    ])
    await expectAlive(ws)
  }, 20_000)

  test('a server that dies mid-chat gives an error result, bounded by the call timeout', async () => {
    const other = await startEverything('streamableHttp')
    cleanups.push(() => other.stop())
    const ws = await setup(
      async (req) => {
        const results = toolMessages(req)
        if (said(req) === 'dies' && results.length === 0) {
          // The server goes away between the model's answer and the call.
          await other.stop()
          return { calls: [{ name: 'Other__echo', arguments: { message: 'anyone?' } }] }
        }
        if (said(req) === 'after' && results.length === 0)
          return {
            calls: [
              { name: 'Other__echo', arguments: { message: 'still gone?' } },
              { name: 'Everything__echo', arguments: { message: 'still here' } },
            ],
          }
        return { content: `results: ${results.map((m) => m.content).join(' | ')}` }
      },
      { toolTimeoutMs: 2_000 },
    )
    await register({ id: 'other', name: 'Other', url: other.url }, 'healthy')

    const started = performance.now()
    ws.send(chat('dies'))
    const messages = await conversation(ws, 'dies')
    expect(performance.now() - started).toBeLessThan(4_000)
    const result = messages.find((m) => m.type === 'tool_result')
    expect(result).toMatchObject({ call_id: 'call_1_0', ok: false })
    expect(texts(result)).toStartWith('The tool call to Other failed: ')
    expect(result.latency_ms).toBeLessThan(2_500)
    expect(messages.at(-1)).toMatchObject({ type: 'done', finish_reason: 'stop', steps: 2 })
    expect(toolMessages(upstream.seen[1] as ToolRequest)[0]?.content).toStartWith(
      'Error: The tool call to Other failed: ',
    )

    // The socket goes on, and so do chats: a second call to the dead server fails as fast, the other works.
    await expectAlive(ws)
    ws.send(chat('after'))
    const after = await conversation(ws, 'after')
    const results = new Map(after.filter((m) => m.type === 'tool_result').map((m) => [m.call_id, m]))
    const againCall = after.find((m) => m.type === 'tool_call' && m.call.name === 'Other__echo')
    expect(againCall.call.server_id).toBe('other')
    expect(results.get(againCall.call.id)).toMatchObject({ ok: false })
    expect(results.get(againCall.call.id).latency_ms).toBeLessThan(2_500)
    const hereCall = after.find((m) => m.type === 'tool_call' && m.call.name === 'Everything__echo')
    expect(results.get(hereCall.call.id)).toMatchObject({
      ok: true,
      content: [{ type: 'text', text: 'Echo: still here' }],
    })
    expect(after.at(-1)).toMatchObject({ type: 'done', steps: 2 })

    // Both failures are on the dead server's record.
    const stats = await api.getJson('/servers/other/stats?window=1h')
    expect(stats).toMatchObject({ tool_calls: 2, tool_errors: 2 })
  }, 30_000)

  test('a server that dies during a call: the call fails within a second or two, not at its 30 s timeout', async () => {
    const other = await startEverything('streamableHttp')
    cleanups.push(() => other.stop())
    const ws = await setup((req) =>
      toolMessages(req).length === 0
        ? {
            calls: [{ name: 'Other__trigger-long-running-operation', arguments: { duration: 30, steps: 1 } }],
          }
        : { content: `results: ${toolMessages(req)[0]?.content}` },
    )
    await register({ id: 'other', name: 'Other', url: other.url }, 'healthy')
    ws.send(chat('midway'))
    await ws.next((m) => m.type === 'tool_call' && m.id === 'midway')
    await Bun.sleep(200) // the call is under way on the server
    const killed = performance.now()
    await other.stop()
    const messages = await conversation(ws, 'midway')
    const result = messages.find((m) => m.type === 'tool_result')
    expect(result).toMatchObject({ ok: false })
    expect(texts(result)).toStartWith('The tool call to Other failed: ')
    // The SDK's stream resumption gives up after two quick tries, and the session is closed then.
    expect(performance.now() - killed).toBeLessThan(2_500)
    expect(messages.at(-1)).toMatchObject({ type: 'done', steps: 2 })
    await expectAlive(ws)
  }, 20_000)

  test('max_steps caps the requests; the last one says tool_choice "none"', async () => {
    const ws = await setup((_req, n) => ({
      content: `step ${n} `,
      calls: [{ name: 'Everything__echo', arguments: { message: `again ${n}` } }],
    }))
    ws.send(chat('cap', { max_steps: 3 }))
    const messages = await conversation(ws, 'cap')
    expect(upstream.seen).toHaveLength(3)
    expect(upstream.seen.map((r) => r.tool_choice)).toEqual([undefined, undefined, 'none'])
    // The tools are still described on the last request (tool_choice "none" refers to them).
    expect(offered(upstream.seen[2])).toContain('Everything__echo')
    const calls = messages.filter((m) => m.type === 'tool_call')
    const results = messages.filter((m) => m.type === 'tool_result')
    expect(calls.map((m) => m.call.arguments.message)).toEqual(['again 1', 'again 2'])
    expect(results.map((m) => [m.call_id, m.ok])).toEqual([
      ['call_1_0', true],
      ['call_2_0', true],
    ])
    expect(messages.at(-1)).toMatchObject({
      type: 'done',
      finish_reason: 'tool_calls',
      steps: 3,
      max_steps_reached: true,
    })
    // The call the model asked for on the last step was not made.
    expect(toolMessages(upstream.seen[2] as ToolRequest)).toHaveLength(2)
  }, 20_000)

  test('max_steps defaults to the configured maxSteps', async () => {
    const ws = await setup(
      () => ({ calls: [{ name: 'Everything__echo', arguments: { message: 'loop' } }] }),
      {
        maxSteps: 2,
      },
    )
    ws.send(chat('default-cap'))
    const messages = await conversation(ws, 'default-cap')
    expect(upstream.seen).toHaveLength(2)
    expect(upstream.seen.map((r) => r.tool_choice)).toEqual([undefined, 'none'])
    expect(messages.filter((m) => m.type === 'tool_result')).toHaveLength(1)
    expect(messages.at(-1)).toMatchObject({ type: 'done', steps: 2, max_steps_reached: true })

    // max_steps: 1 is one request with tool_choice "none" and no call at all.
    ws.send(chat('one', { max_steps: 1 }))
    const one = await conversation(ws, 'one')
    expect(upstream.seen).toHaveLength(3)
    expect(upstream.seen[2]?.tool_choice).toBe('none')
    expect(one.filter((m) => m.type === 'tool_call')).toHaveLength(0)
    expect(one.at(-1)).toMatchObject({ type: 'done', steps: 1, max_steps_reached: true })
  }, 20_000)

  test('tool_approval "ask": approve runs the call, deny refuses it, unknown call ids are refused', async () => {
    const ws = await setup((req) =>
      toolMessages(req).length > 0
        ? { content: `got: ${toolMessages(req)[0]?.content}` }
        : said(req) === 'pair'
          ? {
              calls: [
                { name: 'Everything__echo', arguments: { message: 'pair' } },
                { name: 'Everything__get-sum', arguments: { a: 4, b: 5 } },
              ],
            }
          : { calls: [{ name: 'Everything__echo', arguments: { message: `for ${said(req)}` } }] },
    )
    ws.send(chat('yes', { tool_approval: 'ask' }))
    const ask = await ws.next((m) => m.type === 'tool_approval' && m.id === 'yes')
    expect(ask).toEqual({
      type: 'tool_approval',
      id: 'yes',
      call: { id: 'call_1_0', name: 'Everything__echo', server_id: 'ref', arguments: { message: 'for yes' } },
    })
    // Nothing runs while the client thinks it over.
    const echoesBefore = posts(everything)
    await Bun.sleep(150)
    expect(ws.messages.some((m) => m.type === 'tool_result')).toBe(false)
    expect(posts(everything)).toBe(echoesBefore)
    ws.send({ type: 'approve', id: 'yes', call_id: 'call_1_0' })
    const approved = await conversation(ws, 'yes')
    expect(approved.find((m) => m.type === 'tool_result')).toMatchObject({
      call_id: 'call_1_0',
      ok: true,
      content: [{ type: 'text', text: 'Echo: for yes' }],
    })
    expect(approved.at(-1)).toMatchObject({ type: 'done', steps: 2 })
    expect(posts(everything)).toBe(echoesBefore + 1)

    ws.send(chat('no', { tool_approval: 'ask' }))
    const ask2 = await ws.next((m) => m.type === 'tool_approval' && m.id === 'no')
    ws.send({ type: 'deny', id: 'no', call_id: ask2.call.id })
    const denied = await conversation(ws, 'no')
    const refused = denied.find((m) => m.type === 'tool_result')
    expect(refused).toMatchObject({ call_id: ask2.call.id, ok: false })
    expect(texts(refused)).toBe('The user denied this call')
    expect(denied.at(-1)).toMatchObject({ type: 'done', steps: 2 })
    expect(toolMessages(upstream.seen.at(-1) as ToolRequest)[0]?.content).toBe(
      'Error: The user denied this call',
    )
    // A denied call is not made, so not counted.
    expect(await api.getJson('/servers/ref/stats?window=1h')).toMatchObject({ tool_calls: 1, tool_errors: 0 })

    // A verdict for a call nobody waits for (any more) is an error of its own; the socket stays open.
    ws.send({ type: 'approve', id: 'no', call_id: ask2.call.id })
    expect(await ws.next((m) => m.type === 'error')).toMatchObject({
      id: 'no',
      error: { code: 'unknown_id' },
    })
    // Two calls in one step are asked about separately; each verdict goes to its own call.
    ws.send(chat('pair', { tool_approval: 'ask' }))
    const asks = [
      await ws.next((m) => m.type === 'tool_approval' && m.id === 'pair'),
      await ws.next((m) => m.type === 'tool_approval' && m.id === 'pair'),
    ]
    expect(asks.map((a) => a.call.name).sort()).toEqual(['Everything__echo', 'Everything__get-sum'])
    const echoAsk = asks.find((a) => a.call.name === 'Everything__echo')
    const sumAsk = asks.find((a) => a.call.name === 'Everything__get-sum')
    ws.send({ type: 'deny', id: 'pair', call_id: echoAsk.call.id })
    ws.send({ type: 'approve', id: 'pair', call_id: sumAsk.call.id })
    const pair = await conversation(ws, 'pair')
    const pairResults = new Map(pair.filter((m) => m.type === 'tool_result').map((m) => [m.call_id, m]))
    expect(pairResults.get(echoAsk.call.id)).toMatchObject({ ok: false })
    expect(pairResults.get(sumAsk.call.id)).toMatchObject({
      ok: true,
      content: [{ type: 'text', text: 'The sum of 4 and 5 is 9.' }],
    })

    // Cancelling a chat that waits for a verdict ends it at once; the question is withdrawn.
    ws.send(chat('withdrawn', { tool_approval: 'ask' }))
    const pending = await ws.next((m) => m.type === 'tool_approval' && m.id === 'withdrawn')
    ws.send({ type: 'cancel', id: 'withdrawn' })
    await ws.next((m) => m.type === 'cancelled' && m.id === 'withdrawn')
    ws.send({ type: 'approve', id: 'withdrawn', call_id: pending.call.id })
    expect(await ws.next((m) => m.type === 'error')).toMatchObject({
      id: 'withdrawn',
      error: { code: 'unknown_id' },
    })
    expect(await api.getJson('/servers/ref/stats?window=1h')).toMatchObject({ tool_calls: 2, tool_errors: 0 })

    ws.send({ type: 'approve', id: 'nobody', call_id: 'call_9_9' })
    expect(await ws.next((m) => m.type === 'error')).toMatchObject({
      id: 'nobody',
      error: { code: 'unknown_id' },
    })
    await expectAlive(ws)
  }, 20_000)

  test('tool_approval "ask" with no answer: the call is not made after the approval timeout', async () => {
    const ws = await setup(
      (req) =>
        toolMessages(req).length === 0
          ? { calls: [{ name: 'Everything__echo', arguments: { message: 'unanswered' } }] }
          : { content: `got: ${toolMessages(req)[0]?.content}` },
      { toolApprovalTimeoutMs: 300 },
    )
    ws.send(chat('late', { tool_approval: 'ask' }))
    const ask = await ws.next((m) => m.type === 'tool_approval')
    const asked = performance.now()
    const messages = await conversation(ws, 'late')
    const waited = performance.now() - asked
    expect(waited).toBeGreaterThanOrEqual(250)
    expect(waited).toBeLessThan(2_000)
    const result = messages.find((m) => m.type === 'tool_result')
    expect(result).toMatchObject({ call_id: ask.call.id, ok: false })
    expect(texts(result)).toBe('No approval within 300 ms')
    expect(toolMessages(upstream.seen[1] as ToolRequest)[0]?.content).toBe('Error: No approval within 300 ms')
    // Not made, so not counted.
    expect(await api.getJson('/servers/ref/stats?window=1h')).toMatchObject({ tool_calls: 0 })
    expect(messages.at(-1)).toMatchObject({ type: 'done', steps: 2 })
    // Too late: the verdict finds nothing waiting.
    ws.send({ type: 'approve', id: 'late', call_id: ask.call.id })
    expect(await ws.next((m) => m.type === 'error')).toMatchObject({ error: { code: 'unknown_id' } })
    await expectAlive(ws)
  }, 20_000)

  test('servers whose names sanitise alike get distinct, deterministic names; calls reach the right one', async () => {
    const ws = await setup((req) => {
      if (said(req) !== 'call-suffixed' || toolMessages(req).length > 0) return { content: 'ok' }
      const name = offered(req)?.find((n) => /^Every_thing__echo_[0-9a-f]{6}$/.test(n)) ?? 'missing'
      return { calls: [{ name, arguments: { message: 'which one?' } }] }
    })
    // The older server keeps the readable name even though its id sorts after the newer one's.
    await register({ id: 'z-old', name: 'Every thing', url: everything.url }, 'healthy')
    await Bun.sleep(5)
    await register({ id: 'a-new', name: 'Every_thing', url: second.url }, 'healthy')

    ws.send(chat('first', { stream: false }))
    await conversation(ws, 'first')
    ws.send(chat('again', { stream: false }))
    await conversation(ws, 'again')
    const [first, again] = [offered(upstream.seen[0]) ?? [], offered(upstream.seen[1]) ?? []]
    expect(first.length).toBeGreaterThan(10)
    expect(new Set(first).size).toBe(first.length)
    for (const name of first) expect(name).toMatch(/^[A-Za-z0-9_-]{1,64}$/)
    expect(again).toEqual(first)

    const tag = createHash('sha256').update('a-new\0echo').digest('hex').slice(0, 6)
    expect(first).toContain('Everything__echo')
    expect(first).toContain('Every_thing__echo')
    expect(first).toContain(`Every_thing__echo_${tag}`)
    expect(first.filter((n) => n.startsWith('Every_thing__echo'))).toHaveLength(2)
    // Each server's tools appear once each: as many for the suffixed server as for the others.
    expect(first.filter((n) => n.startsWith('Everything__'))).toHaveLength(
      first.filter((n) => /^Every_thing__.*_[0-9a-f]{6}$/.test(n)).length,
    )

    const onSecond = posts(second)
    const onFirst = posts(everything)
    ws.send(chat('call-suffixed'))
    const messages = await conversation(ws, 'call-suffixed')
    const call = messages.find((m) => m.type === 'tool_call')
    expect(call.call).toMatchObject({ name: `Every_thing__echo_${tag}`, server_id: 'a-new' })
    expect(messages.find((m) => m.type === 'tool_result')).toMatchObject({
      ok: true,
      content: [{ type: 'text', text: 'Echo: which one?' }],
    })
    // The call went to the second process, not to the first.
    expect(posts(second)).toBe(onSecond + 1)
    expect(posts(everything)).toBe(onFirst)

    // A tool keeps its name whatever the chat selects: named over every registered server.
    ws.send(chat('only-new', { stream: false, servers: ['a-new'] }))
    await conversation(ws, 'only-new')
    const onlyNew = offered(upstream.seen.at(-1)) ?? []
    expect(onlyNew).toContain(`Every_thing__echo_${tag}`)
    expect(onlyNew).not.toContain('Every_thing__echo')
    // GET /tools lists what "auto" offers, under the same names.
    const listed = (await api.getJson('/tools')).data as { name: string; server_id: string }[]
    expect(listed.map((t) => t.name)).toEqual(first)
    expect(listed.find((t) => t.name === `Every_thing__echo_${tag}`)?.server_id).toBe('a-new')
  }, 20_000)

  test('servers and tools restrict what is offered; unknown and unhealthy servers are handled', async () => {
    const ws = await setup(() => ({ content: 'fine' }))
    await register({ id: 'two', name: 'Second', url: second.url }, 'healthy')
    const closed = await freePort()
    await register(
      { id: 'dead', name: 'Dead', url: `http://127.0.0.1:${closed}/mcp`, failure_threshold: 1 },
      'unhealthy',
    )

    ws.send(chat('all'))
    expect((await conversation(ws, 'all')).at(-1).type).toBe('done')
    const all = offered(upstream.seen[0]) ?? []
    expect(all).toContain('Everything__echo')
    expect(all).toContain('Second__echo')
    expect(all.filter((n) => n.startsWith('Dead__'))).toEqual([])

    ws.send(chat('only-ref', { tools: undefined, servers: ['ref'] }))
    expect((await conversation(ws, 'only-ref')).at(-1).type).toBe('done')
    const onlyRef = offered(upstream.seen[1]) ?? []
    expect(onlyRef.length).toBeGreaterThan(5)
    expect(onlyRef.every((n) => n.startsWith('Everything__'))).toBe(true)

    ws.send(chat('echo-only', { tools: ['echo'] }))
    expect((await conversation(ws, 'echo-only')).at(-1).type).toBe('done')
    expect(offered(upstream.seen[2])?.sort()).toEqual(['Everything__echo', 'Second__echo'])

    ws.send(chat('echo-two', { tools: ['echo', 'Everything__get-sum'], servers: ['two'] }))
    expect((await conversation(ws, 'echo-two')).at(-1).type).toBe('done')
    expect(offered(upstream.seen[3])).toEqual(['Second__echo'])

    // Only an unhealthy server: no tools at all, so the request carries none.
    ws.send(chat('dead-only', { servers: ['dead'] }))
    expect((await conversation(ws, 'dead-only')).at(-1).type).toBe('done')
    expect(upstream.seen[4]?.tools).toBeUndefined()
    expect(upstream.seen[4]?.tool_choice).toBeUndefined()

    // tools absent on /chat: no tool use (opt-in).
    ws.send(chat('plain', { tools: undefined }))
    expect((await conversation(ws, 'plain')).at(-1)).toMatchObject({ type: 'done' })
    expect(upstream.seen[5]?.tools).toBeUndefined()
    ws.send(chat('none', { tools: 'none' }))
    expect((await conversation(ws, 'none')).at(-1)).toMatchObject({ type: 'done' })
    expect(upstream.seen[6]?.tools).toBeUndefined()
    // The client's own OpenAI function tools go to the model as they are, and nothing else.
    const own = [{ type: 'function', function: { name: 'mine', parameters: { type: 'object' } } }]
    ws.send(chat('own', { tools: own }))
    expect((await conversation(ws, 'own')).at(-1)).toMatchObject({ type: 'done' })
    expect(upstream.seen[7]?.tools).toEqual(own)

    ws.send(chat('bad', { servers: ['ref', 'nope'] }))
    const error = await ws.next((m) => m.id === 'bad')
    expect(error).toMatchObject({ type: 'error', error: { code: 'unknown_server' } })
    expect(error.error.message).toContain('"nope"')
    expect(upstream.seen).toHaveLength(8)
    await expectAlive(ws)
  }, 20_000)

  test('only healthy servers and slow ones offer tools: unhealthy, unknown and auth_required do not', async () => {
    const ws = await setup(() => ({ content: 'fine' }))
    // All of them answer MCP and list their tools; their status alone says whether to offer them.
    const states = {
      Sick: { status: 'unhealthy', statusReason: 'timeout' },
      Fresh: { status: 'unknown', statusReason: null },
      Locked: { status: 'degraded', statusReason: 'auth_required' },
      Slowish: { status: 'degraded', statusReason: 'slow' },
    } as const
    for (const [name, state] of Object.entries(states)) {
      const id = name.toLowerCase()
      await register({ id, name, url: second.url }, 'healthy')
      api.db.update(servers).set(state).where(eq(servers.id, id)).run()
      expect(await api.getJson(`/servers/${id}`)).toMatchObject({
        status: state.status,
        status_reason: state.statusReason,
      })
    }

    const owners = (names: string[]) => [...new Set(names.map((n) => n.split('__')[0]))].sort()
    const listed = (await api.getJson('/tools')).data as { name: string; server_id: string }[]
    expect(owners(listed.map((t) => t.name))).toEqual(['Everything', 'Slowish'])
    expect(listed.map((t) => t.name)).toContain('Slowish__echo')
    ws.send(chat('auto'))
    expect((await conversation(ws, 'auto')).at(-1).type).toBe('done')
    expect(owners(offered(upstream.seen[0]) ?? [])).toEqual(['Everything', 'Slowish'])
    // Chosen by name, they still offer nothing.
    ws.send(chat('chosen', { servers: ['sick', 'fresh', 'locked'] }))
    expect((await conversation(ws, 'chosen')).at(-1).type).toBe('done')
    expect(upstream.seen[1]?.tools).toBeUndefined()
  }, 20_000)

  test('non-streaming: one response listing the calls, with the usage of every step', async () => {
    const ws = await setup((req) =>
      toolMessages(req).length === 0
        ? {
            calls: [
              { name: 'Everything__echo', arguments: { message: 'quiet' } },
              { name: 'Everything__get-sum', arguments: { a: 1, b: 1 } },
            ],
          }
        : { content: 'Both answered.' },
    )
    ws.send(chat('ns', { stream: false }))
    const messages = await conversation(ws, 'ns')
    expect(upstream.seen.every((r) => !r.stream)).toBe(true)
    expect(messages.some((m) => m.type === 'chunk')).toBe(false)
    const response = messages.at(-1)
    expect(response.type).toBe('response')
    expect(response.data.choices[0].message.content).toBe('Both answered.')
    expect(response.data.usage).toEqual({ prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 })
    expect(response.data.automcp.steps).toBe(2)
    expect(response.data.automcp.max_steps_reached).toBeUndefined()
    const calls = response.data.automcp.tool_calls
    expect(calls).toHaveLength(2)
    expect(calls[0]).toMatchObject({
      id: 'call_1_0',
      name: 'Everything__echo',
      server_id: 'ref',
      arguments: { message: 'quiet' },
      ok: true,
    })
    expect(calls[1]).toMatchObject({
      id: 'call_1_1',
      name: 'Everything__get-sum',
      arguments: { a: 1, b: 1 },
      ok: true,
    })
    for (const c of calls) {
      expect(typeof c.latency_ms).toBe('number')
      expect(c.latency_ms).toBeGreaterThan(0)
    }
  }, 20_000)

  test('stats count the tool calls of a server and the ones that failed', async () => {
    const ws = await setup((req) =>
      toolMessages(req).length === 0
        ? {
            calls: [
              { name: 'Everything__echo', arguments: { message: 'one' } },
              { name: 'Everything__get-sum', arguments: { a: 1, b: 2 } },
              { name: 'Everything__get-sum', arguments: { a: 'x' } },
              // Never reaches a server: not a call of any.
              { name: 'Nowhere__nothing', arguments: {} },
            ],
          }
        : { content: 'counted' },
    )
    const before = await api.getJson('/servers/ref/stats?window=1h')
    expect(before).toMatchObject({ tool_calls: 0, tool_errors: 0 })
    ws.send(chat('count'))
    expect((await conversation(ws, 'count')).at(-1).type).toBe('done')
    expect(await api.getJson('/servers/ref/stats?window=1h')).toMatchObject({ tool_calls: 3, tool_errors: 1 })
    expect(await api.getJson('/servers/ref/stats')).toMatchObject({ tool_calls: 3, tool_errors: 1 })
    // And /metrics counts the same calls.
    const metrics = await (await api.request('/metrics')).text()
    expect(metrics).toContain('automcp_tool_calls_total{outcome="ok",source="chat"} 2')
    expect(metrics).toContain('automcp_tool_calls_total{outcome="error",source="chat"} 1')
    expect(metrics).toContain('automcp_tool_call_duration_seconds_count 3')
  }, 20_000)

  test('cancel during a slow tool call ends the chat at once', async () => {
    const ws = await setup((req) =>
      said(req) === 'slow' && toolMessages(req).length === 0
        ? {
            calls: [
              { name: 'Everything__trigger-long-running-operation', arguments: { duration: 20, steps: 1 } },
            ],
          }
        : toolMessages(req).length === 0
          ? { calls: [{ name: 'Everything__echo', arguments: { message: 'after cancel' } }] }
          : { content: 'ok' },
    )
    ws.send(chat('slow'))
    await ws.next((m) => m.type === 'tool_call' && m.id === 'slow')
    await Bun.sleep(200) // the call is under way on the server
    const started = performance.now()
    ws.send({ type: 'cancel', id: 'slow' })
    await ws.next((m) => m.type === 'cancelled' && m.id === 'slow')
    expect(performance.now() - started).toBeLessThan(2_000)
    // The call its cancellation cut short is not reported as a failure.
    expect(ws.messages.filter((m) => m.type === 'tool_result' && m.id === 'slow')).toEqual([])
    const cancelledAt = ws.messages.length
    await Bun.sleep(150)
    // The model is not asked again, and nothing of the chat comes after `cancelled`.
    expect(upstream.seen).toHaveLength(1)
    expect(ws.messages.slice(cancelledAt).filter((m) => m.id === 'slow')).toEqual([])

    // The server's session still serves the next call.
    ws.send(chat('next'))
    const next = await conversation(ws, 'next')
    expect(next.find((m) => m.type === 'tool_result')).toMatchObject({ ok: true })
    expect(next.at(-1)).toMatchObject({ type: 'done', steps: 2 })
  }, 20_000)

  test('tools of a server reached over SSE work the same', async () => {
    const sse = await startEverything('sse')
    cleanups.push(() => sse.stop())
    const ws = await setup((req) =>
      toolMessages(req).length === 0
        ? { calls: [{ name: 'Legacy__get-sum', arguments: { a: 40, b: 2 } }] }
        : { content: `sse says ${toolMessages(req)[0]?.content}` },
    )
    await register({ id: 'legacy', name: 'Legacy', url: sse.url, transport: 'sse' }, 'healthy')
    ws.send(chat('over-sse', { servers: ['legacy'] }))
    const messages = await conversation(ws, 'over-sse')
    expect(offered(upstream.seen[0])?.every((n) => n.startsWith('Legacy__'))).toBe(true)
    expect(messages.find((m) => m.type === 'tool_call').call).toMatchObject({ server_id: 'legacy' })
    expect(messages.find((m) => m.type === 'tool_result')).toMatchObject({
      ok: true,
      content: [{ type: 'text', text: 'The sum of 40 and 2 is 42.' }],
    })
    expect(messages.at(-1)).toMatchObject({ type: 'done', steps: 2 })
  }, 20_000)
})

describe('what a server offers, bounded', () => {
  const object = { type: 'object', properties: { q: { type: 'string' } } }

  test('a repeated tool name is offered once; a giant schema is left out; past AUTOMCP_MAX_TOOLS "auto" searches and a list is refused', async () => {
    const odd = await scriptedMcp([
      { name: 'dup', inputSchema: object },
      { name: 'dup', inputSchema: { type: 'object' } },
      { name: 'giant', inputSchema: { type: 'object', description: 'z'.repeat(70_000) } },
      { name: 'fine', inputSchema: object },
    ])
    cleanups.push(() => odd.stop())
    const ws = await setup(() => ({ content: 'ok' }), { maxTools: 3 })
    await register({ id: 'odd', name: 'Odd', url: odd.url }, 'healthy')

    ws.send(chat('mine', { stream: false, servers: ['odd'] }))
    await conversation(ws, 'mine')
    expect(offered(upstream.seen.at(-1))).toEqual(['Odd__dup', 'Odd__fine'])

    // With the reference server's tools too, there are more than 3: "auto" searches them instead, and a
    // list naming more than 3 is refused with a way out.
    ws.send(chat('all', { stream: false }))
    expect((await conversation(ws, 'all')).at(-1).data.automcp.discovery).toBe(true)
    expect(offered(upstream.seen.at(-1))).toEqual(['search_tools', 'call_tool'])
    ws.send(chat('listed', { stream: false, tools: ['Odd__dup', 'Odd__fine', 'echo', 'get-sum'] }))
    const [refused] = await conversation(ws, 'listed')
    expect(refused).toMatchObject({ type: 'error', error: { code: 'too_many_tools' } })
    expect(refused.error.message).toContain('"servers" or "tools"')
    ws.send(chat('some', { stream: false, tools: ['Odd__fine', 'echo'] }))
    expect((await conversation(ws, 'some')).at(-1).type).toBe('response')
    expect(offered(upstream.seen.at(-1))).toEqual(['Everything__echo', 'Odd__fine'])
  }, 20_000)
})
