import { expect } from 'bun:test'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js'
import { adminKey, startApp } from './app'
import { everythingBin, startEverything } from './peers'
import { waitFor } from './wait'

export type GatewayClient = Client

/**
 * The SDK's own MCP client connected to AutoMCP's gateway at `base + path` (`/mcp…` over streamable HTTP,
 * `/sse…` over the legacy transport), with `key` as its bearer token and `capabilities` declared.
 */
export async function gatewayClient(
  base: string,
  path = '/mcp',
  { key = adminKey, capabilities = {} as ClientCapabilities } = {},
) {
  const client = new Client({ name: 'gateway-test', version: '1.0.0' }, { capabilities })
  const url = new URL(base + path)
  const requestInit = { headers: { authorization: `Bearer ${key}` } }
  const transport = path.startsWith('/sse')
    ? new SSEClientTransport(url, { requestInit })
    : new StreamableHTTPClientTransport(url, { requestInit })
  await client.connect(transport)
  return client
}

/** The names a client is offered. */
export const toolNamesOf = async (client: Client) => (await client.listTools()).tools.map((t) => t.name)

/** The text of a tool result's content. */
export const textOf = (result: unknown) =>
  (((result as { content?: unknown }).content ?? []) as { type: string; text?: string }[])
    .map((c) => (c.type === 'text' ? c.text : ''))
    .join('\n')

/**
 * The gateway tests' AutoMCP (checks every second) with two healthy servers behind it: server-everything
 * over streamable HTTP (`ev`, "Everything") and the same server as a stdio program (`local`, "Local").
 * `stop` ends the app, the server and the clients `connect` opened.
 */
export async function startGatewayApp() {
  const everything = await startEverything('streamableHttp')
  const api = await startApp({ monitor: true, config: { checkIntervalS: 1 } })
  // A machine busy with other tests may take seconds to start Node: the check timeout is not under test.
  const common = { failure_threshold: 1, timeout_ms: 20_000 }
  const http = await api.post('/servers/register', {
    id: 'ev',
    name: 'Everything',
    url: everything.url,
    ...common,
  })
  expect(http.status, await http.clone().text()).toBe(201)
  const stdio = await api.post('/servers/register', {
    id: 'local',
    name: 'Local',
    transport: 'stdio',
    command: 'node',
    args: [everythingBin, 'stdio'],
    ...common,
  })
  expect(stdio.status, await stdio.clone().text()).toBe(201)
  await waitFor(async () => {
    const servers = await api.getJson('/servers')
    return servers.every((s: { status: string }) => s.status === 'healthy')
  }, 60_000)
  const clients: GatewayClient[] = []
  return {
    api,
    everything,
    /** A client of the gateway at `path`, closed by `stop`. */
    async connect(...args: Parameters<typeof gatewayClient> extends [string, ...infer R] ? R : never) {
      const client = await gatewayClient(api.base, ...args)
      clients.push(client)
      return client
    },
    /** How many of the server's tool calls the gateway made. */
    gatewayCalls: async (serverId: string) =>
      (await api.getJson(`/servers/${serverId}/stats`)).tool_calls_by_source.gateway as number,
    async stop() {
      await Promise.all(clients.map((c) => c.close().catch(() => {})))
      await api.stop()
      await everything.stop()
    },
  }
}
