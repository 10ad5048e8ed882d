// Which tool calls the API thread makes itself, instead of sending them to the MCP thread: calls to a
// streamable HTTP server without OAuth, on the session the MCP thread opened (./near-pool.ts). A call
// through the MCP thread crosses between the threads twice each way, and on two cores every crossing
// wakes a sleeping thread. The MCP thread keeps the session itself (its handshake, its GET stream, its
// DELETE), the checks, the lists and every other request; OAuth servers (their token refreshes live
// there), SSE and stdio servers stay there whole.

import type { GuardSettings } from '../../shared/ssrf'
import type { GatewayCallLink } from './messages'
import type { Lend, NearPool } from './near-pool'
import type { ToolCallResult } from './tool-call'
import type { HttpTarget, McpTarget } from './transports'
import { type Notice, whoToAsk } from './upstream'

/** With no call made here yet: roots are none, anything else is refused. */
function answerAlone(method: string, params: Record<string, unknown>) {
  const who = whoToAsk([], method, params)
  if ('answer' in who) return who.answer
  throw 'refused' in who ? who.refused : new Error(`nobody to ask for ${method}`)
}

/** Whether a tool call to `target` is made on the API thread. */
export const callsNear = (target: McpTarget): target is HttpTarget =>
  target.transport === 'streamable-http' && !target.oauth

/** The API thread's own tool calls, its SDK client loaded on the first one. */
export function createNearCalls(settings: {
  guard: GuardSettings
  lend: Lend
  onNotice: (serverId: string, notice: Notice) => void
}) {
  let pool: Promise<NearPool> | undefined
  const load = () => (pool ??= import('./near-pool').then(({ createNearPool }) => createNearPool(settings)))
  return {
    /** The call made here; `viaThread` when it cannot be (no session to join, or the server forgot it). */
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
    ended(serverId: string, sessionId: string) {
      void pool?.then((p) => p.ended(serverId, sessionId))
    },
    /** Drops the server's client here, if there is one. */
    close: async (id: string) => (pool ? (await pool).close(id) : undefined),
    closeAll: async () => (pool ? (await pool).closeAll() : undefined),
    /** Servers whose sessions have a client here. */
    size: async () => (pool ? (await pool).size : 0),
  }
}
