import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import type { AskingCall } from './upstream'

/** What `tools/call` answered: `ok` is false when the tool reported an error (`isError`). */
export type ToolCallResult = {
  ok: boolean
  content: unknown[]
  structuredContent?: unknown
  /** The result's `_meta`, passed on by the gateway. */
  meta?: Record<string, unknown>
}

/** Progress the server reports during the call (only asked for when someone listens). */
export type CallOptions = { onProgress?: (progress: Record<string, unknown>) => void }

/**
 * MCP `tools/call` on a session. The SDK's own request timeout is turned off: the caller's signal carries
 * the tool timeout, cancellation and shutdown.
 */
export async function callTool(
  client: Client,
  name: string,
  args: Record<string, unknown>,
  signal: AbortSignal,
  { onProgress }: CallOptions = {},
): Promise<ToolCallResult> {
  const res = await client.callTool({ name, arguments: args }, undefined, {
    signal,
    timeout: 2 ** 31 - 1,
    ...(onProgress ? { onprogress: (p) => onProgress(p as Record<string, unknown>) } : {}),
  })
  return {
    ok: res.isError !== true,
    content: Array.isArray(res.content) ? res.content : [],
    ...(res.structuredContent !== undefined ? { structuredContent: res.structuredContent } : {}),
    ...(res._meta !== undefined ? { meta: res._meta as Record<string, unknown> } : {}),
  }
}

/**
 * `tools/call` on a session that knows the call while it is in flight: a request the server makes
 * meanwhile goes to `asking`'s client only when every call in flight comes from it (./upstream.ts).
 */
export async function callAsking(
  s: { client: Client; asking: Set<AskingCall> },
  asking: AskingCall,
  name: string,
  args: Record<string, unknown>,
  signal: AbortSignal,
  options: CallOptions = {},
): Promise<ToolCallResult> {
  s.asking.add(asking)
  try {
    return await callTool(s.client, name, args, signal, options)
  } finally {
    s.asking.delete(asking)
  }
}
