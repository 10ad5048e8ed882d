// Which tool calls the API thread makes itself, instead of sending them to the MCP thread: calls to a
// streamable HTTP server without OAuth, on the session the MCP thread opened (./near-pool.ts). A call
// through the MCP thread crosses between the threads twice each way, and on two cores every crossing
// wakes a sleeping thread: made here, a gateway call's added p50 fell from 0.41-0.44 to 0.29-0.34 ms and
// its throughput from 0.47-0.51 to 0.50-0.57 of a direct call's (bench/README.md, #16). The MCP thread
// keeps the session itself (its handshake, its GET stream, its DELETE), the checks, the lists and every
// other request; OAuth servers (their token refreshes live there), SSE and stdio servers, and servers
// that keep no session stay there whole.

import type { ToolMetadata } from './lists'
import type { GatewayCallLink } from './messages'
import type { createNearPool, NearPool } from './near-pool'
import type { ToolCallResult } from './tool-call'
import type { HttpTarget, McpTarget } from './transports'
import { answerAlone } from './upstream'

/** Whether a tool call to `target` is made on the API thread. */
export const callsNear = (target: McpTarget): target is HttpTarget =>
  target.transport === 'streamable-http' && !target.oauth

/** The API thread's own tool calls, its SDK client loaded on the first one. */
export function createNearCalls(settings: Parameters<typeof createNearPool>[0]) {
  let pool: Promise<NearPool> | undefined
  const load = () =>
    (pool ??= import('./near-pool').then(
      ({ createNearPool }) => createNearPool(settings),
      (e) => {
        pool = undefined // tried again by the next call
        throw e
      },
    ))
  /** `use` on the pool, if one was loaded (no call made here: nothing to do). */
  const loaded = (use: (p: NearPool) => void) => void pool?.then(use).catch(() => {})
  return {
    /** The call made here; `viaThread` when it cannot be (the server keeps no session to join). */
    async callTool(
      target: HttpTarget,
      name: string,
      args: Record<string, unknown>,
      timeoutMs: number,
      signal: AbortSignal | undefined,
      link: GatewayCallLink | undefined,
      viaThread: () => Promise<ToolCallResult>,
    ): Promise<ToolCallResult> {
      const made = await (await load()).callTool(target, name, args, timeoutMs, signal, link)
      return made ?? viaThread()
    },
    /** A server's request on a lent session, not tied to a call: asked of the client its calls allow. */
    ask: async (serverId: string, method: string, params: Record<string, unknown>) =>
      pool ? (await pool).ask(serverId, method, params) : answerAlone(method, params),
    /** The MCP thread's session `sessionId` ended: the calls made on it here end too. */
    ended: (serverId: string, sessionId: string, forgotten: boolean) =>
      loaded((p) => p.ended(serverId, sessionId, forgotten)),
    /** The session's tools changed: what calls made here are checked against. */
    tools: (serverId: string, sessionId: string, tools: ToolMetadata[]) =>
      loaded((p) => p.tools(serverId, sessionId, tools)),
    /** Drops the server's client here, if there is one. */
    close: (id: string) => loaded((p) => p.close(id)),
    closeAll: async () => (pool ? (await pool).closeAll() : undefined),
    /** Servers whose sessions have a client here. */
    size: async () => (pool ? (await pool).size : 0),
  }
}
