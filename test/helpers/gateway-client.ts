import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js'
import { adminKey } from './app'

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
