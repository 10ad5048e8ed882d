import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { StdioCommand } from '../../shared/domain'
import type { FetchLike } from '../../shared/guarded-fetch'
import type { OAuthMaterial } from './oauth/material'
import type { HttpFailure } from './outcome'
import type { ChildTransport } from './stdio/transport'
import { StreamableClient } from './streamable-client'

/** A server as its MCP session sees it: which server, and where and how to reach it. */
export type McpTarget = HttpTarget | StdioTarget

/** A server reached over the network: where, over what, with which headers. */
export type HttpTarget = {
  id: string
  url: string
  transport: 'streamable-http' | 'sse'
  headers: Record<string, string>
  /** OAuth: the tokens a request carries, and how to renew them (./oauth). */
  oauth?: OAuthMaterial
}

/** A server AutoMCP starts itself and speaks to over the child's stdin and stdout. */
export type StdioTarget = {
  id: string
  transport: 'stdio'
  /** The registration's generation: what the child's start and exit events are stored against. */
  generation: number
  stdio: StdioCommand
}

export type McpTransport = StreamableHTTPClientTransport | SSEClientTransport | ChildTransport

// Resuming a dropped stream is worth a quick try or two, not seconds of a chat's time.
const reconnectionOptions = {
  initialReconnectionDelay: 250,
  maxReconnectionDelay: 1_000,
  reconnectionDelayGrowFactor: 2,
  maxRetries: 2,
}

/**
 * The SDK's client transport for `target`; every request goes through `fetchFn` (the SSRF guard) when
 * given, and each failed response is told to `failed` (the SDK's errors drop its headers).
 */
export function createTransport(
  target: HttpTarget,
  fetchFn: FetchLike = fetch,
  failed: (failure: HttpFailure) => void = () => {},
  /** A streamable HTTP session already open (the MCP thread's, joined by the API thread: ./near-pool.ts). */
  sessionId?: string,
): StreamableHTTPClientTransport | SSEClientTransport {
  const url = new URL(target.url)
  const watched: FetchLike = async (input, init) => {
    const res = await fetchFn(input, init)
    if (res.status >= 400) failed({ status: res.status, challenge: res.headers.get('www-authenticate') })
    return res
  }
  const options = { requestInit: { headers: target.headers }, fetch: watched }
  return target.transport === 'sse'
    ? new SSEClientTransport(url, options)
    : new StreamableClient(url, { ...options, reconnectionOptions, sessionId })
}

/** Ends the session on the server too, where the transport has a way to (HTTP DELETE on streamable HTTP). */
export async function terminate(transport: McpTransport): Promise<void> {
  if (transport instanceof StreamableHTTPClientTransport) await transport.terminateSession()
}
