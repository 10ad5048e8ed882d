// The streamable HTTP server transport over real sockets: the SDK's own Client and
// StreamableHTTPClientTransport, and raw fetches for what a client library would hide.
import { afterEach, describe, expect, test } from 'bun:test'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import {
  CallToolRequestSchema,
  CallToolResultSchema,
  ElicitRequestSchema,
  type JSONRPCMessage,
  LATEST_PROTOCOL_VERSION,
  ListToolsRequestSchema,
} from '@modelcontextprotocol/sdk/types.js'
import { progressThenElicit } from '../../../test/helpers/asking-tool'
import { readEvents } from '../../../test/helpers/sse-events'
import { waitFor } from '../../../test/helpers/wait'
import { type WebStreamableOptions, WebStreamableServerTransport } from './streamable-transport'

type Session = {
  transport: WebStreamableServerTransport
  server: Server
  closes: number
  /** The ids onsessionclosed was called with. */
  closed: string[]
  errors: Error[]
  received: JSONRPCMessage[]
  sent: JSONRPCMessage[]
}

/** What the tools of a gateway's servers do, for the test to steer and observe. */
type Hooks = {
  /** How many `wait` calls have started. */
  entered: number
  /** Set once the test lets the `wait` calls return. */
  released: boolean
  /** How many `wait` calls have returned. */
  left: number
  release: () => void
  gate: Promise<void>
  /** What the client answered to each elicitation. */
  elicited: unknown[]
}

function hooks(): Hooks {
  let release = () => {}
  const gate = new Promise<void>((resolve) => {
    release = resolve
  })
  const h: Hooks = { entered: 0, released: false, left: 0, gate, elicited: [], release: () => {} }
  h.release = () => {
    h.released = true
    release()
  }
  return h
}

/** Tools: `plain` answers at once, `ask` sends progress then elicits, `wait` returns once released. */
function mcpServer(h: Hooks) {
  const server = new Server(
    { name: 'streamable-test', version: '1.0.0' },
    { capabilities: { tools: {}, logging: {} } },
  )
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: ['plain', 'ask', 'wait'].map((name) => ({ name, inputSchema: { type: 'object' as const } })),
  }))
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const text = (t: string) => ({ content: [{ type: 'text' as const, text: t }] })
    if (request.params.name === 'wait') {
      h.entered++
      await h.gate
      h.left++
      return text('waited')
    }
    if (request.params.name !== 'ask') return text('plain')
    const answer = await progressThenElicit(request, extra)
    h.elicited.push(answer)
    return text(`hello ${answer?.name}`)
  })
  return server
}

/**
 * `/mcp`: a POST without Mcp-Session-Id opens a session (a transport and its own Server); any other
 * request goes to the session it names or else to the newest one, so that the transport itself judges
 * a missing or wrong id. `/mcp/latest` always reaches the newest session.
 */
function startGateway(options: Partial<WebStreamableOptions> = {}) {
  const sessions = new Map<string, Session>()
  const h = hooks()
  let latest: Session | undefined
  const open = async () => {
    const transport = new WebStreamableServerTransport({
      sessionId: crypto.randomUUID(),
      ...options,
      onsessioninitialized: (id) => void sessions.set(id, session),
      onsessionclosed: (id) => void session.closed.push(id),
    })
    const server = mcpServer(h)
    const session: Session = { transport, server, closes: 0, closed: [], errors: [], received: [], sent: [] }
    // Set before connect: the SDK's Protocol calls these first, then its own.
    transport.onclose = () => {
      session.closes++
    }
    transport.onerror = (error) => session.errors.push(error)
    transport.onmessage = (message) => session.received.push(message)
    const send = transport.send.bind(transport)
    transport.send = (message, sendOptions) => {
      session.sent.push(message)
      return send(message, sendOptions)
    }
    await server.connect(transport)
    latest = session
    return session
  }
  const http = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(request, bunServer) {
      // A stream is quiet between messages: Bun's idle timeout must not end it.
      bunServer.timeout(request, 0)
      const { pathname } = new URL(request.url)
      const id = request.headers.get('mcp-session-id')
      if (pathname === '/mcp' && request.method === 'POST' && !id)
        return (await open()).transport.handleRequest(request)
      const session = (pathname === '/mcp' && sessions.get(id ?? '')) || latest
      if (!session || !pathname.startsWith('/mcp')) return new Response('not found', { status: 404 })
      return session.transport.handleRequest(request)
    },
  })
  const base = `http://127.0.0.1:${http.port}`
  const only = () => {
    expect(sessions.size).toBe(1)
    return [...sessions.values()][0] as Session
  }
  return { url: `${base}/mcp`, base, hooks: h, sessions, only, stop: () => http.stop(true) }
}

let cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
  cleanups = []
})

function gateway(options: Partial<WebStreamableOptions> = {}) {
  const g = startGateway(options)
  cleanups.push(() => g.hooks.release())
  cleanups.push(g.stop)
  return g
}

const ACCEPT = 'application/json, text/event-stream'

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { accept: ACCEPT, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })

const initialize = (id: number | string = 0) => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: {
    protocolVersion: LATEST_PROTOCOL_VERSION,
    capabilities: {},
    clientInfo: { name: 'raw', version: '1' },
  },
})
const call = (id: number | string, name: string) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: {} },
})

/** initialize and notifications/initialized by hand; the headers every later request carries. */
async function rawSession(url: string) {
  const init = await post(url, initialize())
  expect(init.status).toBe(200)
  expect(init.headers.get('content-type')).toBe('application/json')
  expect(await init.json()).toMatchObject({ id: 0, result: { serverInfo: { name: 'streamable-test' } } })
  const headers = {
    'mcp-session-id': init.headers.get('mcp-session-id') ?? '',
    'mcp-protocol-version': LATEST_PROTOCOL_VERSION,
  }
  expect(headers['mcp-session-id']).not.toBe('')
  const initialized = await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers)
  expect(initialized.status).toBe(202)
  return headers
}

async function expectRpcError(response: Response, status: number, code?: number) {
  expect(response.status).toBe(status)
  const body = await response.json()
  expect(body).toMatchObject({ jsonrpc: '2.0', id: null, error: { message: expect.any(String) } })
  if (code !== undefined) expect(body.error.code).toBe(code)
}

/** A Client over StreamableHTTPClientTransport whose fetch records each POST's JSON-RPC method and answer. */
async function sdkClient(url: string, capabilities = {}) {
  const answers: { method: string; status: number; type: string | null; session: string | null }[] = []
  const recording = async (input: string | URL | Request, init?: RequestInit) => {
    const response = await fetch(input, init)
    if (init?.method === 'POST') {
      const body = JSON.parse(String(init.body))
      answers.push({
        method: body.method ?? (body.result ? 'result' : 'error'),
        status: response.status,
        type: response.headers.get('content-type'),
        session: response.headers.get('mcp-session-id'),
      })
    }
    return response
  }
  const client = new Client({ name: 'sdk', version: '1' }, { capabilities })
  cleanups.push(() => client.close())
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { fetch: recording }))
  const answerTo = (method: string) => answers.filter((a) => a.method === method)
  return { client, answers, answerTo }
}

describe('WebStreamableServerTransport with the SDK client', () => {
  test('initialize, tools/list and a plain tools/call are each answered as JSON with the session id', async () => {
    const g = gateway()
    const { client, answerTo } = await sdkClient(g.url)
    expect(client.getServerVersion()?.name).toBe('streamable-test')
    const { tools } = await client.listTools()
    expect(tools.map((t) => t.name)).toEqual(['plain', 'ask', 'wait'])
    const result = await client.callTool({ name: 'plain', arguments: {} })
    expect(result.content).toEqual([{ type: 'text', text: 'plain' }])

    const id = g.only().transport.sessionId as string
    expect(id).toBeString()
    for (const method of ['initialize', 'tools/list', 'tools/call'])
      expect(answerTo(method), method).toEqual([
        { method, status: 200, type: 'application/json', session: id },
      ])
    expect(answerTo('notifications/initialized')).toMatchObject([{ status: 202 }])
  })

  test('a call that sends progress and elicits is answered on an SSE stream; the answer reaches the handler', async () => {
    const g = gateway()
    const { client, answerTo } = await sdkClient(g.url, { elicitation: {} })
    client.setRequestHandler(ElicitRequestSchema, async () => ({
      action: 'accept',
      content: { name: 'Ada' },
    }))
    const progress: number[] = []
    const result = await client.callTool({ name: 'ask', arguments: {} }, CallToolResultSchema, {
      onprogress: (p) => progress.push(p.progress),
    })
    expect(result.content).toEqual([{ type: 'text', text: 'hello Ada' }])
    expect(progress).toEqual([1])
    expect(g.hooks.elicited).toEqual([{ name: 'Ada' }])
    expect(answerTo('tools/call')).toMatchObject([{ status: 200, type: 'text/event-stream' }])
    // The client's answer to the elicitation is a POST of its own, accepted without a body (its fetch
    // may settle after the call's result came in).
    await waitFor(() => answerTo('result').length === 1)
    expect(answerTo('result')).toMatchObject([{ status: 202 }])
  })

  test('a slow call over the SDK client gets its result on the stream opened for it', async () => {
    const g = gateway({ streamAfterMs: 10 })
    const { client, answerTo } = await sdkClient(g.url)
    const called = client.callTool({ name: 'wait', arguments: {} })
    await waitFor(() => answerTo('tools/call').length === 1)
    expect(g.hooks.released).toBe(false)
    g.hooks.release()
    expect((await called).content).toEqual([{ type: 'text', text: 'waited' }])
    expect(answerTo('tools/call')).toMatchObject([{ status: 200, type: 'text/event-stream' }])
  })
})

describe('WebStreamableServerTransport on the wire', () => {
  test('a blocked call: the SSE response comes before its result, then carries it and ends', async () => {
    // No keep-alive comment: the response's head must come without one.
    const g = gateway({ streamAfterMs: 10, keepAliveMs: 0 })
    const headers = await rawSession(g.url)
    const response = await post(g.url, call(5, 'wait'), headers)
    // The response is here while the handler has not been let go.
    expect(g.hooks.entered).toBe(1)
    expect(g.hooks.released).toBe(false)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/event-stream')
    expect(response.headers.get('mcp-session-id')).toBe(headers['mcp-session-id'])
    const stream = readEvents(response)
    expect(stream.messages()).toEqual([])
    g.hooks.release()
    await waitFor(stream.ended)
    expect(stream.events.at(-1)).toStartWith('event: message\ndata: ')
    expect(stream.messages()).toEqual([
      { jsonrpc: '2.0', id: 5, result: { content: [{ type: 'text', text: 'waited' }] } },
    ])
  })

  test('a quiet stream of a slow call carries keep-alive comments', async () => {
    const g = gateway({ streamAfterMs: 10, keepAliveMs: 10 })
    const headers = await rawSession(g.url)
    const stream = readEvents(await post(g.url, call(6, 'wait'), headers))
    await waitFor(() => stream.events.includes(': keep-alive'))
    g.hooks.release()
    await waitFor(stream.ended)
    expect(stream.messages()).toMatchObject([{ id: 6, result: { content: [{ text: 'waited' }] } }])
  })

  test('what is wrong with a POST is answered with its status and JSON-RPC error, never reaching the server', async () => {
    const g = gateway({ maxBodyBytes: 1024, streamAfterMs: 50 })
    const headers = await rawSession(g.url)
    const session = g.only()
    const before = session.received.length
    const list = { jsonrpc: '2.0', id: 1, method: 'tools/list' }

    for (const accept of ['application/json', 'text/event-stream'])
      await expectRpcError(await post(g.url, list, { ...headers, accept }), 406)
    await expectRpcError(await post(g.url, list, { ...headers, 'content-type': 'text/plain' }), 415)
    await expectRpcError(await post(g.url, '{"jsonrpc": "2.0", "method"', headers), 400, -32700)
    const notRpc = [
      { jsonrpc: '2.0' },
      { ...list, extra: true },
      { ...list, params: [] },
      { ...list, id: 1.5 },
      // What the SDK's Protocol would drop as an unknown message, leaving the POST without an answer.
      { ...list, params: { _meta: { progressToken: 1.5 } } },
      { ...list, id: 2 ** 53 },
    ]
    for (const body of notRpc) await expectRpcError(await post(g.url, body, headers), 400, -32600)
    await expectRpcError(await post(g.url, [], headers), 400, -32600)

    const big = { ...list, params: { pad: 'x'.repeat(2048) } }
    await expectRpcError(await post(g.url, big, headers), 413)
    // Without a Content-Length (a streamed body), the read stops at the limit all the same.
    const streamed = await fetch(g.url, {
      method: 'POST',
      headers: { accept: ACCEPT, 'content-type': 'application/json', ...headers },
      // A stream of its own: Bun gives a Blob's stream a Content-Length.
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(JSON.stringify(big)))
          controller.close()
        },
      }),
    })
    await expectRpcError(streamed, 413)

    await expectRpcError(await post(g.url, initialize(7), headers), 400, -32600)
    await expectRpcError(await post(`${g.url}/latest`, list), 400)
    await expectRpcError(
      await post(g.url, list, { ...headers, 'mcp-session-id': 'not-this-one' }),
      404,
      -32001,
    )
    await expectRpcError(await post(g.url, list, { ...headers, 'mcp-protocol-version': '1999-01-01' }), 400)
    const put = await fetch(g.url, { method: 'PUT', headers, body: '{}' })
    await expectRpcError(put, 405)
    expect(put.headers.get('allow')).toBe('GET, POST, DELETE')
    expect(session.received.length).toBe(before)

    const notification: JSONRPCMessage = { jsonrpc: '2.0', method: 'notifications/roots/list_changed' }
    const accepted = await post(g.url, [notification, notification], headers)
    expect(accepted.status).toBe(202)
    expect(await accepted.text()).toBe('')
    expect(session.received.slice(before)).toEqual([notification, notification])
  })

  test('an initialize batched with another initialize is refused and opens no session', async () => {
    const g = gateway()
    const response = await post(g.url, [initialize(1), initialize(2)])
    await expectRpcError(response, 400, -32600)
    expect(response.headers.get('mcp-session-id')).toBeNull()
    expect(g.sessions.size).toBe(0)
  })

  test('a batch of two requests is answered as one JSON array, in request order', async () => {
    const g = gateway({ streamAfterMs: 60_000 })
    const headers = await rawSession(g.url)
    const session = g.only()
    const answered = post(
      g.url,
      [call('first', 'wait'), { jsonrpc: '2.0', id: 2, method: 'tools/list' }],
      headers,
    )
    // The second is answered first; the first only once the test lets it go.
    await waitFor(() => session.sent.some((m) => 'id' in m && m.id === 2))
    expect(session.sent.some((m) => 'id' in m && m.id === 'first')).toBe(false)
    g.hooks.release()
    const response = await answered
    expect(response.headers.get('content-type')).toBe('application/json')
    const body = await response.json()
    expect(body).toMatchObject([
      { id: 'first', result: { content: [{ text: 'waited' }] } },
      { id: 2, result: { tools: [{ name: 'plain' }, { name: 'ask' }, { name: 'wait' }] } },
    ])
  })

  test('a batch whose stream opens after one of its requests was answered still carries that answer', async () => {
    const g = gateway({ streamAfterMs: 60_000, keepAliveMs: 0 })
    const headers = await rawSession(g.url)
    const session = g.only()
    const answered = post(g.url, [{ jsonrpc: '2.0', id: 2, method: 'ping' }, call(5, 'wait')], headers)
    await waitFor(() => g.hooks.entered === 1 && session.sent.some((m) => 'id' in m && m.id === 2))
    // The server says something of the slow call: the POST's SSE stream opens now.
    await session.transport.send(
      { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'slow' } },
      { relatedRequestId: 5 },
    )
    const response = await answered
    expect(response.headers.get('content-type')).toBe('text/event-stream')
    const stream = readEvents(response)
    g.hooks.release()
    await waitFor(stream.ended)
    expect(stream.messages().filter((m) => 'id' in m)).toMatchObject([
      { id: 2, result: {} },
      { id: 5, result: { content: [{ text: 'waited' }] } },
    ])
  })

  test('a request the client cancels ends its POST (the SDK sends no answer to it) and frees its id', async () => {
    const g = gateway({ streamAfterMs: 60_000, keepAliveMs: 0 })
    const headers = await rawSession(g.url)
    const pending = post(g.url, call(8, 'wait'), headers)
    await waitFor(() => g.hooks.entered === 1)
    const cancel = { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 8 } }
    expect((await post(g.url, cancel, headers)).status).toBe(202)
    const response = await pending
    expect(response.status).toBe(200)
    // Nothing to say: an SSE stream that ends at once.
    const stream = readEvents(response)
    await waitFor(stream.ended)
    expect(stream.messages()).toEqual([])
    g.hooks.release()
    await waitFor(() => g.hooks.left === 1)
    const ping = await post(g.url, { jsonrpc: '2.0', id: 8, method: 'ping' }, headers)
    expect(await ping.json()).toEqual({ jsonrpc: '2.0', id: 8, result: {} })
  })

  test('a request id repeated in a batch, or already in flight, is refused rather than left unanswered', async () => {
    const g = gateway({ streamAfterMs: 60_000 })
    const headers = await rawSession(g.url)
    const ping = { jsonrpc: '2.0', id: 3, method: 'ping' }
    await expectRpcError(await post(g.url, [ping, ping], headers), 400, -32600)
    const waiting = post(g.url, call(7, 'wait'), headers)
    await waitFor(() => g.hooks.entered === 1)
    await expectRpcError(await post(g.url, { ...ping, id: 7 }, headers), 400, -32600)
    g.hooks.release()
    const response = await waiting
    expect(await response.json()).toMatchObject({ id: 7, result: { content: [{ text: 'waited' }] } })
    // The same ids are fine once answered.
    expect(await (await post(g.url, [ping, { ...ping, id: 7 }], headers)).json()).toEqual([
      { jsonrpc: '2.0', id: 3, result: {} },
      { jsonrpc: '2.0', id: 7, result: {} },
    ])
  })

  test('GET: the one standalone stream carries what relates to no request; 409 for a second until it is gone', async () => {
    const g = gateway()
    const headers = await rawSession(g.url)
    const session = g.only()
    const get = (signal?: AbortSignal) =>
      fetch(g.url, { headers: { ...headers, accept: 'text/event-stream' }, signal })
    await expectRpcError(await fetch(g.url, { headers: { ...headers, accept: 'application/json' } }), 406)

    const aborter = new AbortController()
    const first = await get(aborter.signal)
    expect(first.status).toBe(200)
    expect(first.headers.get('content-type')).toBe('text/event-stream')
    const stream = readEvents(first)
    await session.server.sendLoggingMessage({ level: 'info', data: 'to the GET stream' })
    await waitFor(() => stream.messages().length === 1)
    expect(stream.messages()).toEqual([
      {
        jsonrpc: '2.0',
        method: 'notifications/message',
        params: { level: 'info', data: 'to the GET stream' },
      },
    ])
    await expectRpcError(await get(), 409)

    aborter.abort()
    let second: Response | undefined
    await waitFor(async () => {
      const response = await get()
      if (response.status === 200) second = response
      else await response.text()
      return second !== undefined
    })
    const again = readEvents(second as Response)
    await session.server.sendToolListChanged()
    await waitFor(() => again.messages().length === 1)
    expect(again.messages()).toEqual([{ jsonrpc: '2.0', method: 'notifications/tools/list_changed' }])
    await session.transport.close()
    await waitFor(again.ended)
  })

  test('DELETE ends the session once: onsessionclosed with its id, onclose, then 404 and Not connected', async () => {
    const g = gateway()
    const headers = await rawSession(g.url)
    const session = g.only()
    const id = headers['mcp-session-id']
    const deleted = await fetch(g.url, { method: 'DELETE', headers })
    expect(deleted.status).toBe(200)
    expect(session.closed).toEqual([id])
    expect(session.closes).toBe(1)

    const list = { jsonrpc: '2.0', id: 1, method: 'tools/list' }
    await expectRpcError(await post(g.url, list, headers), 404, -32001)
    await expectRpcError(
      await fetch(g.url, { headers: { ...headers, accept: 'text/event-stream' } }),
      404,
      -32001,
    )
    await expectRpcError(await fetch(g.url, { method: 'DELETE', headers }), 404, -32001)
    expect(session.closed).toEqual([id])
    await session.transport.close()
    expect(session.closes).toBe(1)
    await expect(
      session.transport.send({
        jsonrpc: '2.0',
        method: 'notifications/message',
        params: { level: 'info', data: 1 },
      }),
    ).rejects.toThrow('Not connected')
  })

  test('a JSON answer still pending when the session closes is answered 404 (-32001)', async () => {
    const g = gateway({ streamAfterMs: 60_000 })
    const headers = await rawSession(g.url)
    const session = g.only()
    const pending = post(g.url, call(9, 'wait'), headers)
    await waitFor(() => g.hooks.entered === 1)
    expect((await fetch(g.url, { method: 'DELETE', headers })).status).toBe(200)
    await expectRpcError(await pending, 404, -32001)
    // The handler returning after the close sends nothing and throws nothing.
    g.hooks.release()
    await waitFor(() => g.hooks.left === 1)
    // A macrotask: what the SDK does once the handler returned (microtasks) has run.
    await Bun.sleep(0)
    expect(session.sent.some((m) => 'id' in m && m.id === 9)).toBe(false)
    expect(session.errors).toEqual([])
  })
})
