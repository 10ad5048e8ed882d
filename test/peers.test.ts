// AutoMCP against real third-party MCP servers and gateways, run as their users run them: supergateway
// (SSE and stateful streamable HTTP) and mcp-proxy in front of the memory server (stdio), FastMCP.
import { afterEach, describe, expect, test } from 'bun:test'
import { createMcpSessions } from '../src/modules/mcp/client'
import { json, startApp, type TestApp } from './helpers/app'
import { type Peer, startFastmcp, startMcpProxy, startSupergateway, stdioServers } from './helpers/peers'
import { runCli } from './helpers/process'
import { waitFor } from './helpers/wait'

let api: TestApp | undefined
let peers: Peer[] = []
afterEach(async () => {
  await api?.stop()
  api = undefined
  for (const peer of peers) await peer.stop()
  peers = []
})

async function started<P extends Peer>(peer: Promise<P>): Promise<P> {
  const p = await peer
  peers.push(p)
  return p
}

// A gateway starts its stdio server on the first `initialize`, FastMCP takes a second over it: a loaded
// machine needs more than the tests' usual 2 s per check.
const timeout_ms = 15_000

const testNow = async (app: TestApp, id: string) =>
  json(await app.request(`/servers/${id}/test`, { method: 'POST' }))

const toolNames = async (app: TestApp, id: string): Promise<string[]> =>
  ((await app.getJson(`/servers/${id}`)).capabilities.tools ?? []).map((t: { name: string }) => t.name)

/** `tools/call` over a session of this test's own, as a chat's tool call makes it. */
async function callTool(url: string, transport: 'streamable-http' | 'sse', name: string) {
  const sessions = createMcpSessions()
  try {
    const target = { id: 'direct', url, transport, headers: {} }
    return await sessions.callTool(target, name, {}, AbortSignal.timeout(timeout_ms))
  } finally {
    await sessions.closeAll()
  }
}

describe('gateways in front of the memory server (stdio)', () => {
  const proxy = () => started(startMcpProxy([stdioServers.memory]))
  test.each([
    ['mcp-proxy, streamable HTTP', 'streamable-http', async () => (await proxy()).url],
    ['mcp-proxy, SSE', 'sse', async () => (await proxy()).sseUrl],
    [
      'supergateway, stateful streamable HTTP',
      'streamable-http',
      async () => (await started(startSupergateway('streamableHttp', stdioServers.memory))).url,
    ],
  ] as const)(
    '%s: healthy, its tools listed, a tool call answered',
    async (_, transport, start) => {
      const url = await start()
      api = await startApp()
      await api.post('/servers/register', { id: 'memory', name: 'Memory', url, timeout_ms })
      expect(await testNow(api, 'memory')).toMatchObject({ success: true, status: 'healthy' })
      const server = await api.getJson('/servers/memory')
      expect(server).toMatchObject({ status: 'healthy', active_transport: transport })
      expect(server.capabilities.server_info.name).toBe('memory-server')
      expect(await toolNames(api, 'memory')).toEqual(
        expect.arrayContaining(['create_entities', 'read_graph', 'search_nodes']),
      )
      const call = await callTool(url, transport, 'read_graph')
      expect(call.ok).toBe(true)
      expect(JSON.stringify(call.content)).toContain('entities')
    },
    60_000,
  )
})

describe('sessions that survive what real servers do (#14)', () => {
  test('an SSE server restarted on the same port gets a new session (initialize) and its new tools are listed', async () => {
    let gateway = await started(startSupergateway('sse', stdioServers.memory))
    api = await startApp()
    const app = api
    await app.post('/servers/register', {
      id: 'gw',
      name: 'Gateway',
      url: gateway.url,
      transport: 'sse',
      timeout_ms,
    })
    expect((await testNow(app, 'gw')).status).toBe('healthy')
    expect(await toolNames(app, 'gw')).toContain('read_graph')
    expect(await app.services.sessions.count()).toBe(1)

    await gateway.stop()
    // The lost stream ends the session: the SDK's EventSource would reconnect by itself and go on with
    // the restarted server without `initialize`.
    await waitFor(async () => (await app.services.sessions.count()) === 0, 10_000)

    gateway = await started(startSupergateway('sse', stdioServers.everything, gateway.port))
    for (let i = 0; i < 2 && !(await toolNames(app, 'gw')).includes('echo'); i++) await testNow(app, 'gw')
    const tools = await toolNames(app, 'gw')
    expect(tools).toContain('echo')
    expect(tools).not.toContain('read_graph')
    expect((await app.getJson('/servers/gw')).status).toBe('healthy')
    expect(gateway.lines.some((l) => l.includes('"method":"initialize"'))).toBe(true)
  }, 60_000)

  test('FastMCP, slow to open a session and quick to answer, is healthy: its handshake is timed apart', async () => {
    const fastmcp = await started(startFastmcp())
    // Its `initialize` takes about a second; below that, the ping alone is judged.
    api = await startApp({ config: { slowMs: 500 } })
    await api.post('/servers/register', { id: 'fast', name: 'FastMCP', url: fastmcp.url, timeout_ms })
    expect(await testNow(api, 'fast')).toMatchObject({
      success: true,
      status: 'healthy',
      status_reason: null,
    })
    const opened = await api.getJson('/servers/fast')
    expect(opened).toMatchObject({ status: 'healthy', active_transport: 'streamable-http' })
    expect(opened.handshake_ms).toBeGreaterThan(0)
    expect(await toolNames(api, 'fast')).toEqual(['hello'])

    // A check over the same session pings only: the server keeps its session's handshake, the check none.
    expect((await testNow(api, 'fast')).status).toBe('healthy')
    expect((await api.getJson('/servers/fast')).handshake_ms).toBe(opened.handshake_ms)
    const history = (await api.getJson('/servers/fast/history')).data
    expect(history.map((c: { handshake_ms: number | null }) => c.handshake_ms)).toEqual([
      null,
      opened.handshake_ms,
    ])

    const probe = await runCli(['probe', fastmcp.url], {
      AUTOMCP_SLOW_MS: '500',
      AUTOMCP_CHECK_TIMEOUT: String(timeout_ms),
    })
    expect({ code: probe.code, stderr: probe.stderr }).toEqual({ code: 0, stderr: '' })
    const found = JSON.parse(probe.stdout)
    expect(found).toMatchObject({ status: 'healthy', reason: null, transport: 'streamable-http' })
    expect(found.handshake_ms).toBeGreaterThan(0)
  }, 60_000)
})
