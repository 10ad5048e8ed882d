import type { Client } from '@modelcontextprotocol/sdk/client/index.js'

/** What `tools/call` answered: `ok` is false when the tool reported an error (`isError`). */
export type ToolCallResult = { ok: boolean; content: unknown[]; structuredContent?: unknown }

/**
 * MCP `tools/call` on a session. The SDK's own request timeout is turned off: the caller's signal carries
 * the tool timeout, cancellation and shutdown.
 */
export async function callTool(
  client: Client,
  name: string,
  args: Record<string, unknown>,
  signal: AbortSignal,
): Promise<ToolCallResult> {
  const res = await client.callTool({ name, arguments: args }, undefined, { signal, timeout: 2 ** 31 - 1 })
  return {
    ok: res.isError !== true,
    content: Array.isArray(res.content) ? res.content : [],
    ...(res.structuredContent !== undefined ? { structuredContent: res.structuredContent } : {}),
  }
}
