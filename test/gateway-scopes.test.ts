// The gateway's endpoints and who reaches them (#16): toolsets at /mcp/{name} (prefixes, filters, name
// collisions, discovery), keys limited to a toolset, sessions bound to their key, the front door, and
// mcp-remote, the stdio bridge desktop clients run, as a real client.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js'
import { adminKey, json, startApp, type TestApp } from './helpers/app'
import { gatewayClient, startGatewayApp, textOf, toolNamesOf } from './helpers/gateway-client'
import { bin } from './helpers/peers'
import { tempDir } from './helpers/process'
import { rawRequest } from './helpers/raw-http'
import { scriptedMcp } from './helpers/scripted-mcp'
import { waitFor } from './helpers/wait'

let gateway: Awaited<ReturnType<typeof startGatewayApp>>
let api: TestApp
const connect: Awaited<ReturnType<typeof startGatewayApp>>['connect'] = (...args) => gateway.connect(...args)
const gatewayCalls = (serverId: string) => gateway.gatewayCalls(serverId)

beforeAll(async () => {
  gateway = await startGatewayApp()
  api = gateway.api
}, 90_000)

afterAll(() => gateway?.stop())

describe('toolsets at /mcp/{name}', () => {
  test('prefix false: the servers’ own names, and calls go through', async () => {
    const res = await api.post('/toolsets', { name: 'plain', servers: ['ev'], prefix: false })
    expect(res.status, await res.clone().text()).toBe(201)
    const client = await connect('/mcp/plain')
    const names = await toolNamesOf(client)
    expect(names).toContain('echo')
    expect(names).toContain('get-sum')
    expect(names.some((n) => n.includes('__'))).toBe(false)
    const result = await client.callTool({ name: 'echo', arguments: { message: 'plain' } })
    expect(textOf(result)).toContain('plain')
    // The prompts keep their own names too.
    expect((await client.listPrompts()).prompts.map((p) => p.name)).toContain('args-prompt')
  })

  test('prefix true: prefixed names of its servers only; a `tools` filter narrows the list', async () => {
    expect((await api.post('/toolsets', { name: 'prefixed', servers: ['local'] })).status).toBe(201)
    const prefixed = await toolNamesOf(await connect('/mcp/prefixed'))
    expect(prefixed).toContain('Local__echo')
    expect(prefixed.every((n) => n.startsWith('Local__'))).toBe(true)

    const res = await api.post('/toolsets', { name: 'only-echo', servers: ['ev'], tools: ['echo'] })
    expect(res.status).toBe(201)
    const client = await connect('/mcp/only-echo')
    expect(await toolNamesOf(client)).toEqual(['Everything__echo'])
    const result = await client.callTool({ name: 'Everything__echo', arguments: { message: 'filtered' } })
    expect(textOf(result)).toContain('filtered')
    // A tool the filter leaves out is not reachable by its name either.
    const hidden = await client.callTool({ name: 'Everything__get-sum', arguments: { a: 1, b: 2 } })
    expect(hidden.isError).toBe(true)
  })

  test('two servers with the same tool names cannot share a toolset without prefixes (409)', async () => {
    const res = await api.post('/toolsets', { name: 'clash', servers: ['ev', 'local'], prefix: false })
    expect(res.status).toBe(409)
    const body = await json(res)
    expect(body.code).toBe('tool_name_collision')
    expect(body.detail).toContain('echo')
    expect((await api.request('/toolsets/clash')).status).toBe(404)
  })

  test('a toolset changed while clients use it: they are told (list_changed) and see the new list', async () => {
    expect((await api.post('/toolsets', { name: 'grow', servers: ['ev'], tools: ['echo'] })).status).toBe(201)
    const client = await connect('/mcp/grow')
    let changes = 0
    client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
      changes++
    })
    expect(await toolNamesOf(client)).toEqual(['Everything__echo'])
    expect((await api.patch('/toolsets/grow', { tools: ['echo', 'get-sum'] })).status).toBe(200)
    await waitFor(() => changes === 1, 10_000)
    expect((await toolNamesOf(client)).sort()).toEqual(['Everything__echo', 'Everything__get-sum'])
  })

  test('an unknown toolset is 404 toolset_not_found', async () => {
    const res = await api.post('/mcp/nope', {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
    })
    expect(res.status).toBe(404)
    expect(await json(res)).toMatchObject({ code: 'toolset_not_found' })
    expect((await api.request('/sse/nope')).status).toBe(404)
  })
})

describe('a key limited to a toolset', () => {
  test('reaches its toolset over /mcp and /sse, and nothing else', async () => {
    expect((await api.post('/toolsets', { name: 'desk', servers: ['ev'], prefix: false })).status).toBe(201)
    const made = await api.post('/keys', { name: 'desktop', role: 'read', toolset: 'desk' })
    expect(made.status).toBe(201)
    const { key } = await json(made)

    const client = await connect('/mcp/desk', { key })
    expect(await toolNamesOf(client)).toContain('echo')
    const sse = await connect('/sse/desk', { key })
    expect(await toolNamesOf(sse)).toContain('echo')

    const as = (path: string, init: RequestInit = {}) =>
      fetch(api.base + path, { ...init, headers: { authorization: `Bearer ${key}`, ...init.headers } })
    for (const path of ['/mcp', '/mcp/plain', '/sse', '/servers', '/toolsets']) {
      const res = await as(path, path.startsWith('/mcp') ? { method: 'POST', body: '{}' } : {})
      expect(res.status, path).toBe(403)
      expect((await json(res)).code, path).toBe('toolset_only')
    }
    await expect(connect('/mcp', { key })).rejects.toThrow()
  })
})

describe('discovery', () => {
  test('lists search_tools and call_tool only; what is found is called by its name, as a gateway call', async () => {
    const res = await api.post('/toolsets', { name: 'find', servers: ['ev'], prefix: false, discovery: true })
    expect(res.status).toBe(201)
    const client = await connect('/mcp/find')
    expect((await toolNamesOf(client)).sort()).toEqual(['call_tool', 'search_tools'])

    const found = await client.callTool({ name: 'search_tools', arguments: { query: 'echo' } })
    expect(found.isError).toBeFalsy()
    const tools = (found.structuredContent as { tools: { name: string; server: string }[] }).tools
    expect(tools[0]).toMatchObject({ name: 'echo', server: 'Everything' })

    const before = await gatewayCalls('ev')
    const called = await client.callTool({
      name: 'call_tool',
      arguments: { name: 'echo', arguments: { message: 'found it' } },
    })
    expect(called.isError).toBeFalsy()
    expect(textOf(called)).toContain('found it')
    expect(await gatewayCalls('ev')).toBe(before + 1)

    const unknown = await client.callTool({ name: 'call_tool', arguments: { name: 'nothing-here' } })
    expect(unknown.isError).toBe(true)
  })
})

describe('discovery on /mcp above the threshold', () => {
  test('/mcp with more tools than AUTOMCP_DISCOVERY_THRESHOLD lists the two discovery tools', async () => {
    const tools = ['alpha', 'beta', 'gamma'].map((name) => ({ name, inputSchema: { type: 'object' } }))
    const upstream = await scriptedMcp(tools)
    const small = await startApp({ monitor: true, config: { checkIntervalS: 1, discoveryThreshold: 2 } })
    try {
      await small.post('/servers/register', { id: 'three', name: 'Three', url: upstream.url })
      await waitFor(async () => (await small.getJson('/servers/three')).status === 'healthy', 30_000)
      const client = await gatewayClient(small.base, '/mcp')
      try {
        expect((await toolNamesOf(client)).sort()).toEqual(['call_tool', 'search_tools'])
        const called = await client.callTool({ name: 'call_tool', arguments: { name: 'Three__beta' } })
        expect(textOf(called)).toBe('called beta')
      } finally {
        await client.close()
      }
    } finally {
      await small.stop()
      await upstream.stop()
    }
  })
})

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
}
const listTools = { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} }

/** A raw POST to /mcp as a client sends it, with `key` (none when null) and a session id if given. */
const mcpPost = (body: unknown, key: string | null, sessionId?: string) =>
  fetch(`${api.base}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25',
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(sessionId ? { 'mcp-session-id': sessionId } : {}),
    },
    body: JSON.stringify(body),
  })

describe('sessions', () => {
  test('DELETE ends a session: its id is 404 afterwards', async () => {
    const opened = await mcpPost(initialize, adminKey)
    expect(opened.status).toBe(200)
    const id = opened.headers.get('mcp-session-id') as string
    expect(id).toBeTruthy()
    await opened.text()
    const listed = await mcpPost(listTools, adminKey, id)
    expect(listed.status).toBe(200)
    expect(await listed.text()).toContain('Everything__echo')

    const ended = await fetch(`${api.base}/mcp`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${adminKey}`, 'mcp-session-id': id },
    })
    expect(ended.status).toBe(200)
    const after = await mcpPost(listTools, adminKey, id)
    expect(after.status).toBe(404)
    expect(await json(after)).toMatchObject({ code: 'session_not_found', error: { code: -32001 } })
  })

  test("another key cannot use someone's session", async () => {
    const opened = await mcpPost(initialize, adminKey)
    const id = opened.headers.get('mcp-session-id') as string
    await opened.text()
    const { key: other } = api.services.keys.create('someone else', 'admin')
    const stolen = await mcpPost(listTools, other, id)
    expect(stolen.status).toBe(404)
    expect(await json(stolen)).toMatchObject({ code: 'session_not_found' })
    // Still the owner's.
    expect((await mcpPost(listTools, adminKey, id)).status).toBe(200)
  })

  test('no key: 401 with WWW-Authenticate Bearer', async () => {
    const res = await mcpPost(initialize, null)
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toStartWith('Bearer')
  })

  test('with auth off, a Host AutoMCP is not known by is refused (DNS rebinding)', async () => {
    const open = await startApp({ auth: 'off' })
    try {
      const body = Buffer.from(JSON.stringify(initialize))
      const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }
      const port = open.app.server?.port as number
      const evil = await rawRequest(port, {
        method: 'POST',
        target: '/mcp',
        headers: { ...headers, host: 'evil.example.com' },
        body,
      })
      expect(evil.status).toBe(403)
      expect(JSON.parse(evil.body.toString()).code).toBe('host_not_allowed')
      const local = await rawRequest(port, {
        method: 'POST',
        target: '/mcp',
        headers: { ...headers, host: `127.0.0.1:${port}` },
        body,
      })
      expect(local.status).toBe(200)
    } finally {
      await open.stop()
    }
  })
})

describe('mcp-remote, the stdio bridge desktop clients run', () => {
  test('initialize, tools/list and tools/call through it', async () => {
    const home = tempDir('automcp-mcp-remote-')
    const proc = Bun.spawn(
      [
        bin('mcp-remote'),
        `${api.base}/mcp`,
        '--header',
        `Authorization:Bearer ${adminKey}`,
        '--allow-http',
        '--transport',
        'http-only',
      ],
      {
        env: { ...process.env, HOME: home, MCP_REMOTE_CONFIG_DIR: join(home, '.mcp-auth') },
        stdin: 'pipe',
        stdout: 'pipe',
        stderr: 'pipe',
      },
    )
    const answers = new Map<number, Record<string, unknown>>()
    const logged: string[] = []
    void (async () => {
      let buffered = ''
      for await (const bytes of proc.stdout) {
        buffered += new TextDecoder().decode(bytes)
        const lines = buffered.split('\n')
        buffered = lines.pop() ?? ''
        for (const line of lines) {
          if (!line.trim()) continue
          const message = JSON.parse(line)
          if (typeof message.id === 'number') answers.set(message.id, message)
        }
      }
    })()
    void (async () => {
      for await (const bytes of proc.stderr) logged.push(new TextDecoder().decode(bytes))
    })()
    const send = (message: unknown) => {
      proc.stdin.write(`${JSON.stringify(message)}\n`)
      proc.stdin.flush()
    }
    const answer = async (id: number) => {
      await waitFor(() => answers.has(id), 30_000).catch(() => {
        throw new Error(`mcp-remote did not answer ${id}: ${logged.join('')}`)
      })
      return answers.get(id) as { result?: Record<string, unknown>; error?: unknown }
    }
    try {
      send(initialize)
      const init = await answer(1)
      expect(init.result).toMatchObject({ serverInfo: { name: 'automcp' } })
      send({ jsonrpc: '2.0', method: 'notifications/initialized' })
      send(listTools)
      const tools = (await answer(2)).result?.tools as { name: string }[]
      expect(tools.map((t) => t.name)).toContain('Everything__echo')
      send({
        jsonrpc: '2.0',
        id: 3,
        method: 'tools/call',
        params: { name: 'Everything__echo', arguments: { message: 'via mcp-remote' } },
      })
      const called = await answer(3)
      expect(called.error).toBeUndefined()
      expect(textOf(called.result)).toContain('via mcp-remote')
    } finally {
      proc.kill()
      await proc.exited
    }
  }, 60_000)
})
