// Discovery mode in chats: the model is offered search_tools and call_tool, searches the catalog of a real
// server (server-everything), and calls what it found through the same call path as any chat call.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test'
import { json, startApp, type TestApp } from './helpers/app'
import { type Everything, startEverything } from './helpers/peers'
import { type Reply, type ToolRequest, toolMessages, toolUpstream } from './helpers/tool-upstream'
import { connectWs } from './helpers/ws'

let everything: Everything
beforeAll(async () => {
  everything = await startEverything('streamableHttp')
})
afterAll(async () => {
  await everything.stop()
})

let api: TestApp
let upstream: ReturnType<typeof toolUpstream>
afterEach(async () => {
  await api?.stop()
  upstream?.stop()
})

/** The app with server-everything registered and checked (so healthy), and a scripted model. */
async function setup(reply: (request: ToolRequest, n: number) => Reply | Promise<Reply>, config = {}) {
  upstream = toolUpstream(reply)
  api = await startApp({ config: { upstreamUrl: upstream.url, ...config } })
  expect(
    (await api.post('/servers/register', { id: 'ref', name: 'Everything', url: everything.url })).status,
  ).toBe(201)
  const checked = await json(await api.request('/servers/ref/test', { method: 'POST' }))
  expect(checked.status).toBe('healthy')
  return connectWs(api.ws('/chat'))
}

/** Every message of chat `id` up to the one that ends it. */
// biome-ignore lint/suspicious/noExplicitAny: the assertions that follow check the shapes
async function conversation(ws: Awaited<ReturnType<typeof setup>>, id: string): Promise<any[]> {
  const out = []
  for (;;) {
    const m = await ws.next((m) => m.id === id, 15_000)
    out.push(m)
    if (['done', 'response', 'error', 'cancelled'].includes(m.type)) return out
  }
}

const offered = (req: ToolRequest | undefined) => req?.tools?.map((t) => t.function.name)

/**
 * A model that uses discovery: it searches for `query`, calls the first tool found with `args`, then
 * answers with what the tool said.
 */
const searchThenCall =
  (query: string, args: Record<string, unknown>) =>
  (req: ToolRequest): Reply => {
    const results = toolMessages(req)
    if (!offered(req)?.includes('search_tools')) return { content: 'offered the tools themselves' }
    if (results.length === 0) return { calls: [{ name: 'search_tools', arguments: { query, limit: 3 } }] }
    if (results.length === 1) {
      const found = JSON.parse(results[0]?.content as string).tools
      return { calls: [{ name: 'call_tool', arguments: { name: found[0].name, arguments: args } }] }
    }
    return { content: `The tool said: ${results[1]?.content}` }
  }

describe('discovery mode in chats', () => {
  test('"discover": the model searches a real server\'s tools, calls one with call_tool, and the call is recorded', async () => {
    const ws = await setup(searchThenCall('echo back a message', { message: 'found you' }))
    ws.send({
      type: 'chat',
      id: 'd1',
      model: 'm',
      messages: [{ role: 'user', content: 'say found you' }],
      stream: true,
      tools: 'discover',
    })
    const messages = await conversation(ws, 'd1')
    // Every step offers exactly the two meta-tools, whatever the catalog holds.
    expect(upstream.seen).toHaveLength(3)
    for (const req of upstream.seen) expect(offered(req)).toEqual(['search_tools', 'call_tool'])

    // The search result the model read: the best match first, with its server and schema.
    const found = JSON.parse(toolMessages(upstream.seen[1] as ToolRequest)[0]?.content as string).tools
    expect(found[0]).toMatchObject({
      name: 'Everything__echo',
      server: 'Everything',
      inputSchema: { type: 'object', properties: { message: expect.any(Object) } },
    })
    expect(found.length).toBeLessThanOrEqual(3)

    // The client hears of the search, then of the real tool call (not of `call_tool`).
    const calls = messages.filter((m) => m.type === 'tool_call').map((m) => m.call)
    expect(calls).toEqual([
      {
        id: 'call_1_0',
        name: 'search_tools',
        server_id: null,
        arguments: { query: 'echo back a message', limit: 3 },
      },
      { id: 'call_2_0', name: 'Everything__echo', server_id: 'ref', arguments: { message: 'found you' } },
    ])
    const results = messages.filter((m) => m.type === 'tool_result')
    expect(results[0]).toMatchObject({ call_id: 'call_1_0', ok: true })
    expect(results[1]).toMatchObject({
      call_id: 'call_2_0',
      ok: true,
      content: [{ type: 'text', text: 'Echo: found you' }],
    })
    expect(messages.at(-1)).toMatchObject({ type: 'done', steps: 3, discovery: true })
    expect(toolMessages(upstream.seen[2] as ToolRequest)[1]?.content).toBe('Echo: found you')

    // The echo call is recorded as a chat's; the search touched no server and is not.
    expect(await api.getJson('/servers/ref/stats?window=1h')).toMatchObject({
      tool_calls: 1,
      tool_errors: 0,
      tool_calls_by_source: { chat: 1, v1: 0, direct: 0 },
    })
  }, 30_000)

  test('bad meta-tool calls are error results for the model, and the chat goes on', async () => {
    const ws = await setup((req) =>
      toolMessages(req).length === 0
        ? {
            calls: [
              { name: 'search_tools', arguments: { query: 'echo', limit: 500 } },
              { name: 'call_tool', arguments: { name: 'Everything__nope' } },
              { name: 'call_tool', arguments: { arguments: {} } },
              { name: 'call_tool', arguments: '{not json' },
              { name: 'Nowhere__thing', arguments: {} },
              // A found tool called by its own name is served, as models often do.
              { name: 'Everything__get-sum', arguments: { a: 2, b: 3 } },
            ],
          }
        : { content: 'done' },
    )
    ws.send({
      type: 'chat',
      id: 'd2',
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      stream: false,
      tools: 'discover',
    })
    const messages = await conversation(ws, 'd2')
    expect(messages.at(-1).type).toBe('response')
    const told = toolMessages(upstream.seen[1] as ToolRequest).map((m) => m.content)
    expect(told[0]).toBe('Error: "limit" must be an integer from 1 to 50')
    expect(told[1]).toStartWith('Error: There is no tool named "Everything__nope": search_tools finds')
    expect(told[2]).toBe('Error: "name" must be the name of a tool, as search_tools gave it')
    expect(told[3]).toBe('Error: The arguments are not a JSON object')
    expect(told[4]).toStartWith('Error: There is no tool named "Nowhere__thing"')
    expect(told[5]).toBe('The sum of 2 and 3 is 5.')
    const summary = messages.at(-1).data.automcp
    expect(summary.discovery).toBe(true)
    expect(summary.tool_calls.map((c: { ok: boolean }) => c.ok)).toEqual([
      false,
      false,
      false,
      false,
      false,
      true,
    ])
    expect(await api.getJson('/servers/ref/stats?window=1h')).toMatchObject({ tool_calls: 1 })
  }, 30_000)

  test('"auto" past AUTOMCP_MAX_TOOLS switches to discovery (and says so); a list of names past it is refused', async () => {
    const ws = await setup(searchThenCall('sum', { a: 40, b: 2 }), { maxTools: 3 })
    ws.send({
      type: 'chat',
      id: 'auto',
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      tools: 'auto',
    })
    const messages = await conversation(ws, 'auto')
    expect(offered(upstream.seen[0])).toEqual(['search_tools', 'call_tool'])
    const response = messages.at(-1)
    expect(response.type).toBe('response')
    expect(response.data.automcp).toMatchObject({ steps: 3, discovery: true })
    expect(response.data.automcp.tool_calls[1]).toMatchObject({
      name: 'Everything__get-sum',
      server_id: 'ref',
      ok: true,
    })
    expect(response.data.choices[0].message.content).toBe('The tool said: The sum of 40 and 2 is 42.')

    ws.send({
      type: 'chat',
      id: 'names',
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      tools: ['echo', 'get-sum', 'get-env', 'get-tiny-image'],
    })
    const [refused] = await conversation(ws, 'names')
    expect(refused).toMatchObject({ type: 'error', error: { code: 'too_many_tools' } })
    expect(refused.error.message).toContain('"tools": "discover"')

    // Under the limit, "auto" offers the tools themselves, and no discovery is reported.
    const seen = upstream.seen.length
    ws.send({
      type: 'chat',
      id: 'few',
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      tools: ['echo'],
    })
    const few = await conversation(ws, 'few')
    expect(offered(upstream.seen[seen])).toEqual(['Everything__echo'])
    expect(few.at(-1).data.choices[0].message.content).toBe('offered the tools themselves')
    expect(few.at(-1).data.automcp.discovery).toBeUndefined()
  }, 30_000)

  test('/v1 with tools "discover": the same loop, recorded as v1, reported in automcp', async () => {
    await setup(searchThenCall('echo', { message: 'via v1' }))
    const res = await api.post('/v1/chat/completions', {
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      tools: 'discover',
    })
    expect(res.status).toBe(200)
    const body = await json(res)
    expect(body.choices[0].message.content).toBe('The tool said: Echo: via v1')
    expect(body.automcp).toMatchObject({ steps: 3, discovery: true })
    expect(await api.getJson('/servers/ref/stats?window=1h')).toMatchObject({
      tool_calls_by_source: { chat: 0, v1: 1, direct: 0 },
    })
  }, 30_000)
})
