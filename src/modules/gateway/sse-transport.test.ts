// The legacy HTTP+SSE server transport over real sockets: the SDK's own Client and SSEClientTransport,
// supergateway as a third-party SSE client, and raw fetches for what a client library would hide.
import { afterEach, describe, expect, test } from 'bun:test'
import { connect, type Socket } from 'node:net'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js'
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import {
  CallToolRequestSchema,
  CallToolResultSchema,
  ElicitRequestSchema,
  type JSONRPCMessage,
  ListToolsRequestSchema,
} from '@modelcontextprotocol/sdk/types.js'
import { progressThenElicit } from '../../../test/helpers/asking-tool'
import { bin } from '../../../test/helpers/peers'
import { readEvents } from '../../../test/helpers/sse-events'
import { waitFor } from '../../../test/helpers/wait'
import { type WebSseOptions, WebSseServerTransport } from './sse-transport'

type Session = {
  transport: WebSseServerTransport
  closes: number
  errors: Error[]
  received: JSONRPCMessage[]
}

/** The tools/call handler: a progress notification and an elicitation in the middle of the call. */
function mcpServer() {
  const server = new Server(
    { name: 'sse-test', version: '1.0.0' },
    { capabilities: { tools: {}, logging: {} } },
  )
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [{ name: 'ask', description: 'Asks the user', inputSchema: { type: 'object' } }],
  }))
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const answer = await progressThenElicit(request, extra)
    return { content: [{ type: 'text', text: `hello ${answer?.name}` }] }
  })
  return server
}

/** GET /sse opens a session with its own Server; POST /sse/message?sessionId= reaches its transport. */
function startGateway(options: Partial<WebSseOptions> = {}, withServer = true) {
  const sessions = new Map<string, Session>()
  const http = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(request, bunServer) {
      const url = new URL(request.url)
      if (request.method === 'GET' && url.pathname === '/sse') {
        // An SSE stream is quiet between messages: Bun's idle timeout must not end it.
        bunServer.timeout(request, 0)
        const transport = new WebSseServerTransport({ endpoint: '/sse/message', ...options })
        const session: Session = { transport, closes: 0, errors: [], received: [] }
        transport.onclose = () => {
          session.closes++
        }
        transport.onerror = (error) => session.errors.push(error)
        sessions.set(transport.sessionId, session)
        if (withServer) await mcpServer().connect(transport)
        else {
          transport.onmessage = (message) => session.received.push(message)
          await transport.start()
        }
        return transport.response()
      }
      if (request.method === 'POST' && url.pathname === '/sse/message') {
        const session = sessions.get(url.searchParams.get('sessionId') ?? '')
        if (!session) return Response.json({ detail: 'no such session', code: 'not_found' }, { status: 404 })
        return session.transport.handlePost(request)
      }
      return new Response('not found', { status: 404 })
    },
  })
  const base = `http://127.0.0.1:${http.port}`
  const only = () => {
    expect(sessions.size).toBe(1)
    return [...sessions.values()][0] as Session
  }
  return { base, sessions, only, stop: () => http.stop(true) }
}

/** A raw SSE reader: the events so far, as the text of each. */
async function openStream(url: string, signal?: AbortSignal) {
  const response = await fetch(url, { signal })
  const { events, ended } = readEvents(response)
  await waitFor(() => events.length > 0)
  const endpoint = (events[0] ?? '').replace('event: endpoint\ndata: ', '')
  return { response, events, endpoint, ended }
}

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })

let cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
  cleanups = []
})

function gateway(options: Partial<WebSseOptions> = {}, withServer = true) {
  const g = startGateway(options, withServer)
  cleanups.push(g.stop)
  return g
}

describe('WebSseServerTransport with the SDK client', () => {
  test('initialize, tools/list and a tools/call with progress and an elicitation answered by the client', async () => {
    const g = gateway()
    const client = new Client({ name: 'sdk', version: '1' }, { capabilities: { elicitation: {} } })
    const asked: string[] = []
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message)
      return { action: 'accept', content: { name: 'Ada' } }
    })
    cleanups.push(() => client.close())
    await client.connect(new SSEClientTransport(new URL(`${g.base}/sse`)))
    expect(client.getServerVersion()?.name).toBe('sse-test')
    expect(client.getServerCapabilities()).toMatchObject({ tools: {}, logging: {} })

    const { tools } = await client.listTools()
    expect(tools.map((t) => t.name)).toEqual(['ask'])

    const progress: number[] = []
    const result = await client.callTool({ name: 'ask', arguments: {} }, CallToolResultSchema, {
      onprogress: (p) => progress.push(p.progress),
    })
    expect(result.content).toEqual([{ type: 'text', text: 'hello Ada' }])
    expect(progress).toEqual([1])
    expect(asked).toEqual(['Your name?'])
  })

  test('the client closing its stream closes the session on the server once', async () => {
    const g = gateway()
    const client = new Client({ name: 'sdk', version: '1' })
    await client.connect(new SSEClientTransport(new URL(`${g.base}/sse`)))
    const session = g.only()
    expect(session.closes).toBe(0)
    await client.close()
    await waitFor(() => session.closes > 0)
    // A later close() from the gateway's own clean-up does not report the session closed again.
    await session.transport.close()
    expect(session.closes).toBe(1)
    const after = await post(`${g.base}/sse/message?sessionId=${session.transport.sessionId}`, '{}')
    expect(after.status).toBe(404)
  })
})

describe('WebSseServerTransport on the wire', () => {
  test('the stream is text/event-stream and first names the endpoint as a relative URL with the session', async () => {
    const g = gateway()
    const stream = await openStream(`${g.base}/sse`)
    expect(stream.response.headers.get('content-type')).toBe('text/event-stream')
    expect(stream.response.headers.get('cache-control')).toContain('no-cache')
    expect(stream.endpoint).toBe(`/sse/message?sessionId=${g.only().transport.sessionId}`)
    await g.only().transport.close()
  })

  test('an endpoint that already has a query keeps it', async () => {
    const transport = new WebSseServerTransport({ endpoint: '/sse/message?tenant=a', keepAliveMs: 0 })
    const reader = transport.response().body?.getReader()
    await transport.start()
    const first = new TextDecoder().decode((await reader?.read())?.value)
    expect(first).toBe(`event: endpoint\ndata: /sse/message?tenant=a&sessionId=${transport.sessionId}\n\n`)
    await transport.close()
  })

  test('close() ends the stream, calls onclose once, then POSTs get 404 and send rejects', async () => {
    const g = gateway()
    const stream = await openStream(`${g.base}/sse`)
    const session = g.only()
    await session.transport.send({
      jsonrpc: '2.0',
      method: 'notifications/message',
      params: { level: 'info', data: 'last' },
    })
    await session.transport.close()
    await waitFor(stream.ended)
    // What was sent before close() is still delivered.
    expect(stream.events.at(-1)).toContain('"data":"last"')
    expect(session.closes).toBe(1)
    await session.transport.close()
    expect(session.closes).toBe(1)
    const after = await post(
      `${g.base}${stream.endpoint}`,
      JSON.stringify({ jsonrpc: '2.0', method: 'ping', id: 1 }),
    )
    expect(after.status).toBe(404)
    expect(await after.json()).toMatchObject({ error: { code: -32001 } })
    await expect(session.transport.send({ jsonrpc: '2.0', method: 'ping', id: 2 })).rejects.toThrow(
      'Not connected',
    )
    expect(session.errors).toEqual([])
  })

  test('a POST hands each message, or each of a batch in order, to onmessage with the headers; 202', async () => {
    const g = gateway({}, false)
    const stream = await openStream(`${g.base}/sse`)
    const session = g.only()
    const seen: unknown[] = []
    session.transport.onmessage = (message, extra) => {
      session.received.push(message)
      seen.push(extra?.requestInfo?.headers['x-trace'])
    }
    const one = await post(`${g.base}${stream.endpoint}`, JSON.stringify({ jsonrpc: '2.0', method: 'a' }), {
      'x-trace': 't1',
    })
    expect(one.status).toBe(202)
    expect(await one.text()).toBe('Accepted')
    const batch = [2, 3, 4].map((n) => ({ jsonrpc: '2.0', method: 'b', id: n }))
    const many = await post(`${g.base}${stream.endpoint}`, JSON.stringify(batch), {
      'content-type': 'application/json; charset=utf-8',
      'x-trace': 't2',
    })
    expect(many.status).toBe(202)
    expect(session.received.map((m) => ('id' in m ? m.id : 'method' in m ? m.method : ''))).toEqual([
      'a',
      2,
      3,
      4,
    ])
    expect(seen).toEqual(['t1', 't2', 't2', 't2'])
    await session.transport.close()
  })

  test('bad bodies: invalid JSON 400 (-32700), not JSON-RPC 400, wrong type 415, too large 413', async () => {
    const g = gateway({ maxBodyBytes: 1024 }, false)
    const stream = await openStream(`${g.base}/sse`)
    const url = `${g.base}${stream.endpoint}`
    const bad = await post(url, '{"jsonrpc": "2.0", "method"')
    expect(bad.status).toBe(400)
    expect(await bad.json()).toEqual({
      jsonrpc: '2.0',
      error: { code: -32700, message: expect.any(String) },
      id: null,
    })
    const notRpc = await post(url, JSON.stringify({ hello: 'world' }))
    expect(notRpc.status).toBe(400)
    expect(await notRpc.json()).toMatchObject({ error: { code: -32600 } })
    expect((await post(url, '[]')).status).toBe(400)
    const wrongType = await post(url, JSON.stringify({ jsonrpc: '2.0', method: 'a' }), {
      'content-type': 'text/plain',
    })
    expect(wrongType.status).toBe(415)
    const big = JSON.stringify({ jsonrpc: '2.0', method: 'a', params: { pad: 'x'.repeat(2048) } })
    const tooLarge = await post(url, big)
    expect(tooLarge.status).toBe(413)
    // Without a Content-Length (a streamed body), the read stops at the limit all the same.
    const chunked = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // A stream of its own: Bun gives a Blob's stream a Content-Length.
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(big))
          controller.close()
        },
      }),
    })
    expect(chunked.status).toBe(413)
    expect(g.only().received).toEqual([])
    await g.only().transport.close()
  })

  test('messages reach the stream in the order they were sent', async () => {
    const g = gateway({}, false)
    const stream = await openStream(`${g.base}/sse`)
    const { transport } = g.only()
    const sent = Array.from({ length: 500 }, (_, n) => n)
    await Promise.all(sent.map((n) => transport.send({ jsonrpc: '2.0', method: 'n', params: { n } })))
    await waitFor(() => stream.events.length > sent.length)
    const got = stream.events
      .slice(1)
      .map((e) => JSON.parse(e.replace('event: message\ndata: ', '')).params.n)
    expect(got).toEqual(sent)
    await transport.close()
  })

  test('a quiet stream carries keep-alive comments', async () => {
    const g = gateway({ keepAliveMs: 20 }, false)
    const stream = await openStream(`${g.base}/sse`)
    await waitFor(() => stream.events.includes(': keep-alive'))
    await g.only().transport.close()
  })
})

describe('WebSseServerTransport backpressure', () => {
  const big = { jsonrpc: '2.0' as const, method: 'big', params: { pad: 'x'.repeat(64 * 1024) } }

  /** Sends until the session closes or `count` went out, yielding so the socket can drain between sends. */
  async function flood(session: Session, count: number) {
    for (let n = 0; n < count && session.closes === 0; n++) {
      await session.transport.send(big)
      await Bun.sleep(0)
    }
  }

  test('a client that stops reading gets its session closed with onerror, not an unbounded queue', async () => {
    // The byte cap, alone: the message cap is out of reach.
    const g = gateway({ maxQueuedBytes: 1024 * 1024, maxQueuedMessages: 1_000_000, keepAliveMs: 0 }, false)
    const url = new URL(g.base)
    const socket: Socket = connect(Number(url.port), url.hostname)
    cleanups.push(() => socket.destroy())
    socket.write(`GET /sse HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/event-stream\r\n\r\n`)
    await new Promise((resolve) => socket.once('data', resolve))
    // The client reads no further: the kernel buffers fill, then the transport's queue.
    socket.pause()
    const session = g.only()
    await flood(session, 2_000)
    expect(session.closes).toBe(1)
    expect(session.errors.map((e) => e.message)).toEqual([expect.stringContaining('not reading')])
    await expect(session.transport.send(big)).rejects.toThrow('Not connected')
  })

  test('the cap counts what waits, not what was sent: a reading client gets 19 MiB through a 1 MiB cap', async () => {
    const g = gateway({ maxQueuedBytes: 1024 * 1024, keepAliveMs: 0 }, false)
    const stream = await openStream(`${g.base}/sse`)
    const session = g.only()
    // Bursts of 10 (640 KiB) each read before the next, so the outcome does not hang on who is faster.
    for (let burst = 1; burst <= 30; burst++) {
      for (let n = 0; n < 10; n++) await session.transport.send(big)
      await waitFor(() => stream.events.length > burst * 10)
    }
    expect(session.closes).toBe(0)
    expect(session.errors).toEqual([])
    await session.transport.close()
  })

  test('what waited for a paused client reaches it, in order, once it reads again', async () => {
    const g = gateway({ maxQueuedBytes: 64 * 1024 * 1024, keepAliveMs: 0 }, false)
    const url = new URL(g.base)
    const socket: Socket = connect(Number(url.port), url.hostname)
    cleanups.push(() => socket.destroy())
    const received: Buffer[] = []
    socket.on('data', (chunk: Buffer) => received.push(chunk))
    socket.write(`GET /sse HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`)
    await waitFor(() => received.length > 0)
    socket.pause()
    const session = g.only()
    // 10 MiB: more than the socket buffers hold, so the rest waits in the transport's queue.
    const count = 160
    for (let n = 0; n < count; n++) {
      await session.transport.send({ ...big, params: { n, pad: big.params.pad } })
      await Bun.sleep(0)
    }
    socket.resume()
    const numbers = () =>
      [
        ...Buffer.concat(received)
          .toString()
          .matchAll(/"n":(\d+)/g),
      ].map((m) => Number(m[1]))
    await waitFor(() => numbers().length === count, 10_000)
    expect(numbers()).toEqual(Array.from({ length: count }, (_, n) => n))
    expect(session.errors).toEqual([])
  }, 15_000)

  test('the message cap holds even while the runtime has not pulled from the stream', async () => {
    const transport = new WebSseServerTransport({ endpoint: '/m', maxQueuedMessages: 10, keepAliveMs: 0 })
    const errors: Error[] = []
    let closes = 0
    transport.onerror = (e) => errors.push(e)
    transport.onclose = () => closes++
    const response = transport.response()
    await transport.start()
    let sent = 0
    while (closes === 0) {
      await transport.send(big)
      sent++
    }
    // The stream takes 64 KiB itself; beyond it 10 may wait and the 11th closes the session.
    expect(sent).toBeLessThan(20)
    expect(errors).toHaveLength(1)
    await expect(response.body?.getReader().read()).rejects.toThrow('not reading')
  })
})

describe('WebSseServerTransport with supergateway as the SSE client', () => {
  test('supergateway --sse relays initialize and tools/list over stdio', async () => {
    const g = gateway()
    const proc = Bun.spawn([bin('supergateway'), '--sse', `${g.base}/sse`, '--logLevel', 'none'], {
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
    })
    cleanups.push(async () => {
      proc.kill()
      await proc.exited
    })
    const replies: Record<string, unknown>[] = []
    void (async () => {
      const decoder = new TextDecoder()
      let buffer = ''
      for await (const chunk of proc.stdout) {
        buffer += decoder.decode(chunk, { stream: true })
        const lines = buffer.split('\n')
        buffer = lines.pop() ?? ''
        for (const line of lines) if (line.trim()) replies.push(JSON.parse(line))
      }
    })()
    const say = (message: object) => {
      proc.stdin.write(`${JSON.stringify(message)}\n`)
      proc.stdin.flush()
    }
    say({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 'sg', version: '1' } },
    })
    // Node starting supergateway takes seconds on a loaded machine.
    await waitFor(() => replies.some((r) => r.id === 1), 30_000)
    expect(replies.find((r) => r.id === 1)).toMatchObject({ result: { serverInfo: { name: 'sse-test' } } })
    say({ jsonrpc: '2.0', method: 'notifications/initialized' })
    say({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} })
    await waitFor(() => replies.some((r) => r.id === 2), 10_000)
    expect(replies.find((r) => r.id === 2)).toMatchObject({ result: { tools: [{ name: 'ask' }] } })
    expect(g.sessions.size).toBe(1)
  }, 40_000)
})
