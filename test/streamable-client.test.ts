// The MCP thread's streamable HTTP client transport (src/modules/mcp/streamable-client.ts): its short road
// for requests against a real SDK server answering as JSON and as SSE, the redirect it leaves to the SDK,
// and what it does with an answer it must refuse, from a server that answers by hand.
import { afterAll, describe, expect, test } from 'bun:test'
import { randomUUID } from 'node:crypto'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import { StreamableClient } from '../src/modules/mcp/streamable-client'

/** The SDK's server on the Web-standard transport; `/old` redirects (307) to `/mcp`, as a moved server. */
function sdkServer(json: boolean) {
  const transports = new Map<string, WebStandardStreamableHTTPServerTransport>()
  const http = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      const url = new URL(req.url)
      if (url.pathname === '/old') return new Response(null, { status: 307, headers: { location: '/mcp' } })
      const id = req.headers.get('mcp-session-id')
      if (id) return transports.get(id)?.handleRequest(req) ?? new Response(null, { status: 404 })
      const transport: WebStandardStreamableHTTPServerTransport =
        new WebStandardStreamableHTTPServerTransport({
          sessionIdGenerator: randomUUID,
          enableJsonResponse: json,
          onsessioninitialized: (sid) => void transports.set(sid, transport),
        })
      const server = new Server({ name: 'echo', version: '1.0.0' }, { capabilities: { tools: {} } })
      server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [] }))
      server.setRequestHandler(CallToolRequestSchema, async (r, extra) => {
        const progressToken = r.params._meta?.progressToken
        if (progressToken !== undefined)
          await extra.sendNotification({
            method: 'notifications/progress',
            params: { progressToken, progress: 1, total: 1 },
          })
        return { content: [{ type: 'text', text: `echo ${String(r.params.arguments?.message)}` }] }
      })
      await server.connect(transport)
      return transport.handleRequest(req)
    },
  })
  return { http, base: `http://127.0.0.1:${http.port}` }
}

/**
 * A server answering by hand: a valid handshake, then `tools/call` as `answer` says (status, body); every
 * other request gets an empty result.
 */
function handServer(answer: (id: unknown) => { status: number; body: unknown }) {
  const http = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      if (req.method !== 'POST') return new Response(null, { status: 405 }) // no stream of its own
      const msg = (await req.json()) as {
        id?: unknown
        method: string
        params?: { protocolVersion?: string }
      }
      const headers = { 'content-type': 'application/json', 'mcp-session-id': 'hand' }
      if (msg.id === undefined) return new Response(null, { status: 202 })
      const reply = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers })
      if (msg.method === 'initialize')
        return reply(200, {
          jsonrpc: '2.0',
          id: msg.id,
          result: {
            protocolVersion: msg.params?.protocolVersion,
            capabilities: { tools: {} },
            serverInfo: { name: 'hand', version: '1' },
          },
        })
      if (msg.method === 'tools/call') {
        const { status, body } = answer(msg.id)
        return reply(status, body)
      }
      return reply(200, { jsonrpc: '2.0', id: msg.id, result: {} })
    },
  })
  return { http, base: `http://127.0.0.1:${http.port}` }
}

type Sent = { url: string; method: string; headers: unknown; redirect?: string }

/** The SDK's client over a StreamableClient whose fetch notes every request it makes. */
async function connect(url: string, headers: Record<string, string> = { 'x-registered': 'yes' }) {
  const sent: Sent[] = []
  const fetchFn = (input: string | URL, init?: RequestInit) => {
    sent.push({
      url: String(input),
      method: init?.method ?? 'GET',
      headers: init?.headers,
      redirect: init?.redirect,
    })
    return fetch(input, init)
  }
  const transport = new StreamableClient(new URL(url), {
    fetch: fetchFn,
    requestInit: { headers },
  })
  const client = new Client({ name: 'test', version: '1' })
  await client.connect(transport)
  return { client, transport, sent }
}

const stops: (() => unknown)[] = []
afterAll(async () => {
  for (const stop of stops) await stop()
})

describe('StreamableClient', () => {
  test('a call answered as JSON takes the short road: the headers built once, the answer delivered', async () => {
    const { http, base } = sdkServer(true)
    stops.push(() => http.stop(true))
    const { client, transport, sent } = await connect(`${base}/mcp`)
    stops.push(() => client.close())
    for (const message of ['a', 'b']) {
      const result = await client.callTool({ name: 'echo', arguments: { message } })
      expect(result.content).toEqual([{ type: 'text', text: `echo ${message}` }])
    }
    // The handshake went the SDK's way (a Headers object); both calls the short way, with one headers object.
    const calls = sent.filter((s) => s.method === 'POST' && !(s.headers instanceof Headers))
    expect(calls).toHaveLength(2)
    expect(calls[0]?.headers).toBe(calls[1]?.headers as object)
    expect(calls[0]?.redirect).toBe('manual')
    expect(calls[0]?.headers).toMatchObject({
      'mcp-session-id': transport.sessionId,
      'mcp-protocol-version': transport.protocolVersion,
      'x-registered': 'yes',
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    })
  })

  test('a call answered as an SSE stream is read by the SDK, its progress included', async () => {
    const { http, base } = sdkServer(false)
    stops.push(() => http.stop(true))
    const { client, sent } = await connect(`${base}/mcp`)
    stops.push(() => client.close())
    const progress: number[] = []
    const result = await client.callTool({ name: 'echo', arguments: { message: 'streamed' } }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    })
    expect(result.content).toEqual([{ type: 'text', text: 'echo streamed' }])
    expect(progress).toEqual([1])
    expect(sent.some((s) => s.method === 'POST' && !(s.headers instanceof Headers))).toBe(true)
  })

  test('a redirect is left to the SDK, which follows it within the origin', async () => {
    const { http, base } = sdkServer(true)
    stops.push(() => http.stop(true))
    const { client, sent } = await connect(`${base}/old`)
    stops.push(() => client.close())
    const posts = () => sent.filter((s) => s.method === 'POST')
    const before = posts().length
    const result = await client.callTool({ name: 'echo', arguments: { message: 'moved' } })
    expect(result.content).toEqual([{ type: 'text', text: 'echo moved' }])
    // Once redirected, a request goes the SDK's way at once.
    await client.callTool({ name: 'echo', arguments: { message: 'again' } })
    // The short road's POST got the 307; the SDK's then followed it to /mcp.
    expect(
      posts()
        .slice(before)
        .map((s) => new URL(s.url).pathname),
    ).toEqual(['/old', '/old', '/mcp', '/old', '/mcp'])
  })

  test("registered headers named in another case are replaced by the POST's own, not sent beside them", async () => {
    const { http, base } = sdkServer(true)
    stops.push(() => http.stop(true))
    // Both would be sent twice over otherwise ("application/json, application/json"): 415 from the server.
    const { client } = await connect(`${base}/mcp`, {
      'Content-Type': 'application/json',
      Accept: 'application/json',
    })
    stops.push(() => client.close())
    const result = await client.callTool({ name: 'echo', arguments: { message: 'cased' } })
    expect(result.content).toEqual([{ type: 'text', text: 'echo cased' }])
  })

  test('a redirect other than 307 or 308 fails the call, which is not sent again', async () => {
    const { http, base } = handServer(() => ({ status: 303, body: {} }))
    stops.push(() => http.stop(true))
    const { client, sent } = await connect(`${base}/mcp`)
    stops.push(() => client.close())
    const before = sent.filter((s) => s.method === 'POST').length
    const failure = await client.callTool({ name: 'x', arguments: {} }).catch((e: unknown) => e)
    expect(failure).toMatchObject({ code: 303 })
    expect(sent.filter((s) => s.method === 'POST').length - before).toBe(1)
  })

  test('an answer the SDK schema refuses fails the call, and does not leave it waiting', async () => {
    const { http, base } = handServer((id) => ({
      status: 200,
      body: { jsonrpc: '2.0', id, result: {}, extra: 1 },
    }))
    stops.push(() => http.stop(true))
    const { client } = await connect(`${base}/mcp`)
    stops.push(() => client.close())
    const errors: Error[] = []
    client.onerror = (e) => errors.push(e)
    await expect(client.callTool({ name: 'x', arguments: {} })).rejects.toThrow(/Invalid JSON-RPC message/)
    expect(errors[0]?.message).toMatch(/Invalid JSON-RPC message/)
  })

  test('a refused POST fails the call with the HTTP status, as the SDK reports it', async () => {
    const { http, base } = handServer(() => ({ status: 404, body: { error: 'no such session' } }))
    stops.push(() => http.stop(true))
    const { client } = await connect(`${base}/mcp`)
    stops.push(() => client.close())
    const failure = await client.callTool({ name: 'x', arguments: {} }).catch((e: unknown) => e)
    expect(failure).toMatchObject({ code: 404 })
    expect(String((failure as Error).message)).toContain('no such session')
  })
})
