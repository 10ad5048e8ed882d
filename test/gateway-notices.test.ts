import { afterAll, beforeAll, expect, test } from 'bun:test'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import {
  ListRootsRequestSchema,
  ListRootsResultSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
  SubscribeRequestSchema,
  ToolListChangedNotificationSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'
import { startApp, type TestApp } from './helpers/app'
import { type GatewayClient, gatewayClient, textOf, toolNamesOf } from './helpers/gateway-client'
import { waitFor } from './helpers/wait'

// What a server sends unasked reaches the gateway's clients (its log lines, the updates of resources they
// subscribed to, its own list changes), and what it asks of its client (roots) goes to the call's client.

/** An MCP server (the SDK's McpServer, streamable HTTP on Bun) whose tools make it notify and ask. */
function notifyingServer() {
  const sessions = new Map<string, WebStandardStreamableHTTPServerTransport>()
  const subscribed = new Set<string>()
  let grown = false
  let flaked = false
  function build() {
    const mcp = new McpServer(
      { name: 'notifier', version: '1.0.0' },
      { capabilities: { logging: {}, resources: { subscribe: true } } },
    )
    mcp.registerResource('note', 'note://one', { mimeType: 'text/plain' }, async () => ({
      contents: [{ uri: 'note://one', text: 'one' }],
    }))
    mcp.server.setRequestHandler(SubscribeRequestSchema, async (r) => {
      // The first subscription to note://flaky fails, as a server's may.
      if (r.params.uri === 'note://flaky' && !flaked) {
        flaked = true
        throw new Error('not now')
      }
      subscribed.add(r.params.uri)
      return {}
    })
    mcp.server.setRequestHandler(UnsubscribeRequestSchema, async (r) => {
      subscribed.delete(r.params.uri)
      return {}
    })
    mcp.registerTool('log_and_touch', { inputSchema: { text: z.string() } }, async ({ text }, extra) => {
      await extra.sendNotification({
        method: 'notifications/message',
        params: { level: 'warning', data: text },
      })
      for (const uri of subscribed) await mcp.server.sendResourceUpdated({ uri }).catch(() => {})
      return { content: [{ type: 'text', text: `logged ${text}` }] }
    })
    mcp.registerTool('roots', {}, async (extra) => {
      const r = await extra.sendRequest({ method: 'roots/list' }, ListRootsResultSchema)
      return { content: [{ type: 'text', text: r.roots.map((x) => x.uri).join(',') }] }
    })
    const grow = () =>
      mcp.registerTool('grown', {}, async () => ({ content: [{ type: 'text', text: 'grown' }] }))
    if (grown) grow()
    mcp.registerTool('grow', {}, async () => {
      grown = true
      // McpServer sends notifications/tools/list_changed itself.
      grow()
      return { content: [{ type: 'text', text: 'grew' }] }
    })
    return mcp
  }
  const http = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(request) {
      const id = request.headers.get('mcp-session-id')
      if (id) return (await sessions.get(id)?.handleRequest(request)) ?? new Response(null, { status: 404 })
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => crypto.randomUUID(),
        onsessioninitialized: (sid) => void sessions.set(sid, transport),
      })
      await build().connect(transport)
      return transport.handleRequest(request)
    },
  })
  return { url: `http://127.0.0.1:${http.port}/mcp`, subscribed, stop: () => http.stop(true) }
}

let api: TestApp
let upstream: ReturnType<typeof notifyingServer>
let client: GatewayClient
beforeAll(async () => {
  upstream = notifyingServer()
  api = await startApp({ monitor: true })
  const registered = await api.post('/servers/register', {
    id: 'notifier',
    name: 'Notifier',
    url: upstream.url,
    transport: 'streamable-http',
    interval_s: 1,
  })
  expect(registered.status).toBe(201)
  await waitFor(async () => (await api.getJson('/servers/notifier')).status === 'healthy', 20_000)
  client = await gatewayClient(api.base, '/mcp', { capabilities: { roots: {} } })
})
afterAll(async () => {
  await client?.close()
  await api.stop()
  await upstream.stop()
})

test("a server's log line during a call reaches the client, named for the server, filtered by its level", async () => {
  const lines: { level: string; data: unknown; logger?: string }[] = []
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void lines.push(n.params))
  await client.setLoggingLevel('error')
  await client.callTool({ name: 'Notifier__log_and_touch', arguments: { text: 'quiet' } })
  await client.setLoggingLevel('debug')
  await client.callTool({ name: 'Notifier__log_and_touch', arguments: { text: 'loud' } })
  await waitFor(() => lines.length > 0, 10_000)
  expect(lines).toEqual([{ level: 'warning', data: 'loud', logger: 'Notifier' }])
}, 30_000)

test('a subscribed resource: the server hears the subscription once, and its updates reach the client', async () => {
  const updates: string[] = []
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri))
  await client.subscribeResource({ uri: 'note://one' })
  expect([...upstream.subscribed]).toEqual(['note://one'])
  await client.callTool({ name: 'Notifier__log_and_touch', arguments: { text: 'touch' } })
  await waitFor(() => updates.length > 0, 10_000)
  expect(updates).toEqual(['note://one'])
  await client.unsubscribeResource({ uri: 'note://one' })
  expect([...upstream.subscribed]).toEqual([])
}, 30_000)

test('a subscription the server refused is asked again by the next subscribe, not taken as done', async () => {
  const other = await gatewayClient(api.base)
  try {
    await expect(client.subscribeResource({ uri: 'note://flaky' })).rejects.toThrow('not now')
    expect(upstream.subscribed.has('note://flaky')).toBe(false)
    await other.subscribeResource({ uri: 'note://flaky' })
    expect(upstream.subscribed.has('note://flaky')).toBe(true)
  } finally {
    await other.close()
  }
}, 30_000)

test('switching a toolset to discovery mode tells its clients, whose tools/list is then the two tools', async () => {
  expect((await api.post('/toolsets', { name: 'notes', servers: ['notifier'] })).status).toBe(201)
  const session = await gatewayClient(api.base, '/mcp/notes')
  try {
    let told = 0
    session.setNotificationHandler(ToolListChangedNotificationSchema, () => void told++)
    expect(await toolNamesOf(session)).toContain('Notifier__roots')
    expect((await api.patch('/toolsets/notes', { discovery: true })).status).toBe(200)
    await waitFor(() => told > 0, 10_000)
    expect(await toolNamesOf(session)).toEqual(['search_tools', 'call_tool'])
  } finally {
    await session.close()
  }
}, 30_000)

test("the server's roots/list during a call is answered by the client that made it", async () => {
  client.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: [{ uri: 'file:///work/project' }] }))
  const result = await client.callTool({ name: 'Notifier__roots', arguments: {} })
  expect(textOf(result)).toBe('file:///work/project')
}, 30_000)

test('a server whose own tool list changes: the client is told, and lists the new tool', async () => {
  let told = 0
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => void told++)
  expect(await toolNamesOf(client)).not.toContain('Notifier__grown')
  await client.callTool({ name: 'Notifier__grow', arguments: {} })
  await waitFor(() => told > 0, 15_000)
  expect(await toolNamesOf(client)).toContain('Notifier__grown')
}, 30_000)
