import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test'
import { toolCalls } from '../src/db/schema'
import { json, startApp, type TestApp } from './helpers/app'
import { blackHole, type Everything, freePort, healthServer, startEverything } from './helpers/peers'
import { scriptedMcp } from './helpers/scripted-mcp'
import { type ToolRequest, toolMessages, toolUpstream } from './helpers/tool-upstream'
import { connectWs } from './helpers/ws'

// `GET /servers/{id}/tools` and `POST /servers/{id}/tools/{name}/call` against the reference server,
// over both of its network transports.
let streamable: Everything
let sse: Everything
beforeAll(async () => {
  ;[streamable, sse] = await Promise.all([startEverything('streamableHttp'), startEverything('sse')])
})
afterAll(async () => {
  await Promise.all([streamable.stop(), sse.stop()])
})

let api: TestApp
let cleanups: (() => unknown)[] = []
afterEach(async () => {
  await api?.stop()
  for (const cleanup of cleanups) await cleanup()
  cleanups = []
})

/** The app with the reference server registered as `ref` (not checked: direct calls need no status). */
async function setup(peer: Everything = streamable, config = {}) {
  api = await startApp({ config })
  await register({
    id: 'ref',
    name: 'Everything',
    url: peer.url,
    transport: peer === sse ? 'sse' : 'streamable-http',
  })
}

async function register(body: Record<string, unknown>) {
  expect((await api.post('/servers/register', body)).status).toBe(201)
}

const call = (server: string, tool: string, body: unknown = {}) =>
  api.post(`/servers/${server}/tools/${encodeURIComponent(tool)}/call`, body)
// Calls are written in batches: the waiting ones first.
const recorded = () => {
  api.services.toolCalls.flush()
  return api.db.select().from(toolCalls).all()
}

describe('listing a server’s tools', () => {
  for (const mode of ['streamableHttp', 'sse'] as const)
    test(`every tool with its input schema, over ${mode}, for a read key too`, async () => {
      await setup(mode === 'sse' ? sse : streamable)
      const { key } = api.services.keys.create('reader', 'read')
      const res = await api.request('/servers/ref/tools', { headers: { authorization: `Bearer ${key}` } })
      expect(res.status).toBe(200)
      const { data } = await json(res)
      const echo = data.find((t: { name: string }) => t.name === 'echo')
      expect(echo).toEqual({
        name: 'echo',
        description: 'Echoes back the input string',
        input_schema: expect.objectContaining({
          type: 'object',
          properties: { message: expect.objectContaining({ type: 'string' }) },
          required: ['message'],
        }),
      })
      expect(data.map((t: { name: string }) => t.name)).toEqual(
        expect.arrayContaining(['echo', 'get-sum', 'get-structured-content']),
      )
      for (const tool of data)
        expect(Object.keys(tool).sort()).toEqual(['description', 'input_schema', 'name'])
      // The server was never checked: the listing opened its session.
      expect((await api.getJson('/servers/ref')).status).toBe('unknown')
    }, 20_000)

  test('an unknown server is 404 server_not_found', async () => {
    await setup()
    const res = await api.request('/servers/nope/tools')
    expect(res.status).toBe(404)
    expect(await json(res)).toEqual({ detail: 'Server not found', code: 'server_not_found' })
  })
})

describe('calling a tool directly', () => {
  for (const mode of ['streamableHttp', 'sse'] as const)
    test(`echo answers its text, over ${mode}; the call is recorded as direct and counted`, async () => {
      await setup(mode === 'sse' ? sse : streamable)
      const res = await call('ref', 'echo', { arguments: { message: 'hi there' } })
      expect(res.status).toBe(200)
      const body = await json(res)
      expect(body).toEqual({
        ok: true,
        is_error: false,
        content: [{ type: 'text', text: 'Echo: hi there' }],
        structured_content: null,
        latency_ms: expect.any(Number),
      })
      expect(recorded()).toEqual([
        expect.objectContaining({ serverId: 'ref', tool: 'echo', source: 'direct', ok: true, error: null }),
      ])
      expect(await api.getJson('/servers/ref/stats?window=1h')).toMatchObject({
        tool_calls: 1,
        tool_errors: 0,
        tool_calls_by_source: { chat: 0, v1: 0, direct: 1 },
      })
    }, 20_000)

  test('structured content comes back as structured_content', async () => {
    await setup()
    const body = await json(
      await call('ref', 'get-structured-content', { arguments: { location: 'Chicago' } }),
    )
    expect(body.ok).toBe(true)
    expect(body.structured_content).toEqual({
      temperature: expect.any(Number),
      conditions: expect.any(String),
      humidity: expect.any(Number),
    })
  }, 20_000)

  test('a tool that reports an error is a 200 with is_error, recorded and counted as an error', async () => {
    await setup()
    // No `arguments`: echo gets {} and its server answers that `message` is missing, as a tool error.
    const res = await call('ref', 'echo', {})
    expect(res.status).toBe(200)
    const body = await json(res)
    expect(body).toMatchObject({ ok: false, is_error: true, structured_content: null })
    expect(body.content[0].text).toContain('message')
    expect(recorded()).toEqual([expect.objectContaining({ tool: 'echo', source: 'direct', ok: false })])
    expect(await api.getJson('/servers/ref/stats?window=1h')).toMatchObject({ tool_calls: 1, tool_errors: 1 })
  }, 20_000)

  test('an unknown tool is 404 tool_not_found and no call is made; an unknown server 404', async () => {
    await setup()
    const res = await call('ref', 'no-such-tool', { arguments: {} })
    expect(res.status).toBe(404)
    expect(await json(res)).toEqual({
      code: 'tool_not_found',
      detail: 'The server Everything lists no tool named "no-such-tool"',
    })
    expect(recorded()).toEqual([])
    const unknown = await call('nope', 'echo', { arguments: { message: 'x' } })
    expect(unknown.status).toBe(404)
    expect((await json(unknown)).code).toBe('server_not_found')
  }, 20_000)

  test('a read key may list but not call: 403, and nothing is called', async () => {
    await setup()
    const { key } = api.services.keys.create('reader', 'read')
    const res = await api.request('/servers/ref/tools/echo/call', {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ arguments: { message: 'x' } }),
    })
    expect(res.status).toBe(403)
    expect((await json(res)).code).toBe('forbidden')
    expect(recorded()).toEqual([])
  }, 20_000)

  test('arguments that are not an object, or a misspelt field, are 422 before anything is called', async () => {
    await setup()
    for (const body of [
      { arguments: [] },
      { arguments: 'message=hi' },
      { arguments: 5 },
      { argument: { message: 'hi' } },
    ]) {
      const res = await call('ref', 'echo', body)
      expect(res.status, JSON.stringify(body)).toBe(422)
      expect((await json(res)).code).toBe('validation_error')
    }
    const bad = await json(await call('ref', 'echo', { arguments: [] }))
    expect(bad.detail).toContain('arguments')
    expect(bad.detail).toContain('must be a JSON object')
    // `null` is absent, as everywhere in the API: {} reaches the tool.
    expect((await json(await call('ref', 'echo', { arguments: null }))).is_error).toBe(true)
    expect(recorded()).toHaveLength(1)
  }, 20_000)

  test('a body over 64 KB is 413', async () => {
    await setup()
    const res = await call('ref', 'echo', { arguments: { message: 'x'.repeat(70_000) } })
    expect(res.status).toBe(413)
    expect((await json(res)).code).toBe('payload_too_large')
    expect(recorded()).toEqual([])
  }, 20_000)
})

describe('servers that give no result', () => {
  test('a server answering plain HTTP is 409 not_an_mcp_server, registered as http or found so by auto', async () => {
    const health = healthServer()
    cleanups.push(health.stop)
    api = await startApp()
    await register({ id: 'plain', name: 'Plain', url: health.url, transport: 'http' })
    await register({ id: 'found', name: 'Found', url: health.url, transport: 'auto' })
    const checked = await json(await api.request('/servers/found/test', { method: 'POST' }))
    expect(checked.status).toBe('healthy')
    expect((await api.getJson('/servers/found')).active_transport).toBe('http')
    for (const res of [
      await api.request('/servers/plain/tools'),
      await call('plain', 'echo', { arguments: {} }),
      await api.request('/servers/found/tools'),
    ]) {
      expect(res.status).toBe(409)
      expect((await json(res)).code).toBe('not_an_mcp_server')
    }
  })

  test('a server that cannot be reached is 502 server_unreachable, the reason in detail', async () => {
    api = await startApp()
    const url = `http://127.0.0.1:${await freePort()}/mcp`
    await register({ id: 'gone', name: 'Gone', url, transport: 'streamable-http' })
    for (const res of [
      await api.request('/servers/gone/tools'),
      await call('gone', 'echo', { arguments: {} }),
    ]) {
      expect(res.status).toBe(502)
      const body = await json(res)
      expect(body.code).toBe('server_unreachable')
      expect(body.detail).toStartWith('Listing the tools of Gone failed: ')
      expect(body.detail.length).toBeGreaterThan('Listing the tools of Gone failed: '.length)
    }
    expect(recorded()).toEqual([])
  })

  test('a server that never answers is 504 server_timeout after AUTOMCP_TOOL_TIMEOUT', async () => {
    const hole = await blackHole()
    cleanups.push(hole.stop)
    api = await startApp({ config: { toolTimeoutMs: 300 } })
    await register({ id: 'hole', name: 'Hole', url: hole.url, transport: 'streamable-http' })
    const res = await api.request('/servers/hole/tools')
    expect(res.status).toBe(504)
    expect(await json(res)).toEqual({
      code: 'server_timeout',
      detail: 'Listing the tools of Hole failed: no answer within 300 ms (AUTOMCP_TOOL_TIMEOUT)',
    })
  })

  test('a call that outlasts the tool timeout is 504 server_timeout, recorded as a failed call', async () => {
    await setup(streamable, { toolTimeoutMs: 3_000 })
    // Listed first, so the timeout below is the call's alone.
    expect((await api.request('/servers/ref/tools')).status).toBe(200)
    const res = await call('ref', 'trigger-long-running-operation', { arguments: { duration: 30, steps: 2 } })
    expect(res.status).toBe(504)
    const body = await json(res)
    expect(body.code).toBe('server_timeout')
    expect(body.detail).toBe(
      'The tool call to Everything failed: no answer within 3000 ms (AUTOMCP_TOOL_TIMEOUT)',
    )
    expect(recorded()).toEqual([
      expect.objectContaining({ tool: 'trigger-long-running-operation', source: 'direct', ok: false }),
    ])
  }, 20_000)

  test("a server's JSON-RPC error answer to the call is 502 mcp_error, its message in detail", async () => {
    const scripted = await scriptedMcp([{ name: 'refuse', inputSchema: { type: 'object' } }], async () => {
      // What the SDK's Server sends as a JSON-RPC error with the thrown error's code and message.
      throw Object.assign(new Error('refused on purpose'), { code: -32602 })
    })
    cleanups.push(scripted.stop)
    api = await startApp()
    await register({ id: 'script', name: 'Scripted', url: scripted.url, transport: 'streamable-http' })
    const res = await call('script', 'refuse', { arguments: { a: 1 } })
    expect(res.status).toBe(502)
    expect(await json(res)).toEqual({
      code: 'mcp_error',
      detail: 'The tool call to Scripted failed: MCP error -32602: refused on purpose',
    })
    expect(recorded()).toEqual([expect.objectContaining({ tool: 'refuse', source: 'direct', ok: false })])
  })
})

describe('who made a call: the source recorded for each', () => {
  test('/chat, /v1 and direct calls are recorded as chat, v1 and direct, and counted by source', async () => {
    const upstream = toolUpstream((req: ToolRequest) =>
      toolMessages(req).length === 0
        ? { calls: [{ name: 'Everything__echo', arguments: { message: String(req.messages[0]?.content) } }] }
        : { content: 'done' },
    )
    cleanups.push(upstream.stop)
    api = await startApp({ config: { upstreamUrl: upstream.url } })
    await register({ id: 'ref', name: 'Everything', url: streamable.url })
    expect((await json(await api.request('/servers/ref/test', { method: 'POST' }))).status).toBe('healthy')

    const v1 = await api.post('/v1/chat/completions', {
      model: 'fake/tool-model',
      messages: [{ role: 'user', content: 'from v1' }],
    })
    expect(v1.status).toBe(200)
    expect((await json(v1)).automcp.tool_calls).toHaveLength(1)

    const ws = await connectWs(api.ws('/chat'))
    ws.send({
      type: 'chat',
      id: 'c1',
      model: 'fake/tool-model',
      messages: [{ role: 'user', content: 'from chat' }],
      stream: true,
      tools: 'auto',
    })
    expect(await ws.next((m) => m.type === 'done', 10_000)).toMatchObject({ id: 'c1', steps: 2 })
    ws.close()

    expect((await call('ref', 'echo', { arguments: { message: 'direct' } })).status).toBe(200)

    const rows = recorded()
    expect(rows.map((r) => [r.tool, r.source, r.ok])).toEqual([
      ['echo', 'v1', true],
      ['echo', 'chat', true],
      ['echo', 'direct', true],
    ])
    expect(await api.getJson('/servers/ref/stats?window=1h')).toMatchObject({
      tool_calls: 3,
      tool_errors: 0,
      tool_calls_by_source: { chat: 1, v1: 1, direct: 1 },
    })
  }, 30_000)
})
