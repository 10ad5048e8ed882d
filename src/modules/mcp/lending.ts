import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { toolMetadata } from './lists'
import type { Lent, Session } from './session'
import type { SessionSlots } from './session-slot'
import type { HttpTarget, McpTarget } from './transports'

/**
 * The MCP thread's side of the API thread's own tool calls (./near-pool.ts): its sessions lent, by id, to
 * the API thread's clients, and the lists of one listed again when a call made there heard they changed.
 */
export function createLending({
  slots,
  offer,
  relist,
}: {
  slots: SessionSlots
  /** Hands the target's OAuth material to the sessions (./sessions.ts). */
  offer: (target: McpTarget) => void
  relist: (serverId: string, s: Session) => Promise<unknown>
}) {
  return {
    /**
     * The id and protocol version of the server's live streamable HTTP session (opened when needed), for
     * the API thread to make its tool calls on; null when the server keeps no session or the session
     * carries OAuth tokens. A session the server `forgotten` (the API thread's call got a 404) is replaced
     * by a new one first.
     */
    async lend(target: HttpTarget, signal: AbortSignal, forgotten?: string): Promise<Lent | null> {
      offer(target)
      let { s } = await slots.ensure(target, signal)
      if (forgotten !== undefined && idOf(s) === forgotten) {
        s.forgotten = true
        await slots.drop(target.id, s)
        ;({ s } = await slots.ensure(target, signal))
      }
      const sessionId = idOf(s)
      if (!sessionId || !s.protocolVersion || s.oauth) return null
      s.lent = sessionId
      if (s.lists) s.toldTools = JSON.stringify(s.lists.tools)
      return { sessionId, protocolVersion: s.protocolVersion, tools: toolMetadata(s.lists?.tools ?? []) }
    },
    /** A list changed, as a call made on the API thread heard: listed again here, as if heard here. */
    relist(serverId: string) {
      const s = slots.current(serverId)
      if (s) void relist(serverId, s).catch(() => {})
    },
  }
}

/** The session's id on the server: streamable HTTP only, and only when the server keeps sessions. */
const idOf = (s: Session) =>
  s.transport instanceof StreamableHTTPClientTransport ? s.transport.sessionId : undefined
