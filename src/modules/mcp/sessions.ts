import type { FetchLike } from '../../shared/guarded-fetch'
import { MINUTE } from '../../shared/time'
import { listAll, type McpTool } from './lists'
import { createOAuthFetch } from './oauth/fetch'
import { createOAuthHolder } from './oauth/holder'
import type { OAuthEvent, OAuthMaterial } from './oauth/material'
import { httpStatusOf, type ProbeOutcome, SessionError } from './outcome'
import { openSession, type Session, timedPing } from './session'
import { createSessionSlots } from './session-slot'
import { createStdioSupervisor, type ProcessEvent, type StdioSettings } from './stdio/supervisor'
import { callTool, type ToolCallResult } from './tool-call'
import type { HttpTarget, McpTarget } from './transports'

export type McpSessions = ReturnType<typeof createMcpSessions>

// How long a restarted stdio server has for its handshake, as no check is waiting on it.
const restartHandshakeMs = 60_000
// Checks in a row a live stdio session may leave unanswered before its child is started anew.
const hungAfter = 3

/**
 * One live MCP session per server, kept between checks: a check on a live session is a single `ping`.
 * Sessions are re-opened when lost and closed (HTTP DELETE on streamable HTTP) when a server goes away.
 */
export function createMcpSessions({
  fetch: fetchFn,
  listRefreshMs = 10 * MINUTE,
  stdio: stdioSettings = { enabled: false, commands: [], maxChildren: 0 },
  onProcess,
  onOAuth,
}: {
  fetch?: FetchLike
  listRefreshMs?: number
  /** Whether and which stdio servers may be started (off unless given). */
  stdio?: StdioSettings
  /** A stdio server's child started or ended. */
  onProcess?: (event: ProcessEvent) => void
  /** A server's OAuth tokens were renewed, refused, or its challenge changed. */
  onOAuth?: (event: OAuthEvent) => void
} = {}) {
  const held = createOAuthHolder()
  const oauthFetch = (target: HttpTarget) =>
    createOAuthFetch({
      serverId: target.id,
      url: target.url,
      holder: held,
      base: fetchFn ?? fetch,
      emit: (event) => onOAuth?.(event),
    })
  // A child that exited is started again by opening its server's session anew, as a check would.
  const stdio = createStdioSupervisor({
    settings: stdioSettings,
    onEvent: onProcess,
    restart: (target) => slots.ensure(target, AbortSignal.timeout(restartHandshakeMs)),
  })
  const slots = createSessionSlots((target, signal) =>
    openSession(target, signal, { fetch: fetchFn, stdio, oauthFetch }),
  )
  /** The session's requests use the newest material: the database's copy, or a refresh made here since. */
  const offer = (target: McpTarget) => {
    if (target.transport !== 'stdio' && target.oauth) held.offer(target.id, target.oauth)
  }

  /**
   * `use` on the server's live session (opening one when needed). A session the server forgot (404: a
   * restart, an expiry) is opened again, once; `openedMs` is set when `use` gets a session just opened.
   */
  async function withSession<T>(
    target: McpTarget,
    signal: AbortSignal,
    use: (s: Session, openedMs?: number) => Promise<T>,
  ): Promise<T> {
    offer(target)
    const { s, openedMs, slot } = await slots.ensure(target, signal)
    try {
      return await use(s, openedMs)
    } catch (e) {
      if (httpStatusOf(e) !== 404 && !s.forgotten) throw e
      const again = await slots.reopen(target, slot, s, signal)
      return use(again.s, again.openedMs)
    }
  }

  async function refreshIfStale(s: Session, signal: AbortSignal) {
    if (Date.now() - s.listsAt <= listRefreshMs) return
    s.lists = await listAll(s.client, signal)
    s.listsAt = Date.now()
  }

  /**
   * Pings the server over its live session (opening one when needed) and describes what it offers. The
   * ping is the check's latency: a new session's handshake is timed apart (`handshakeMs`), as a server
   * may take a second over `initialize` and then answer every ping in a few ms.
   */
  async function check(target: McpTarget, signal: AbortSignal): Promise<ProbeOutcome> {
    const used: { s?: Session } = {}
    try {
      const { s, latencyMs, opened } = await withSession(target, signal, async (s, openedMs) => {
        used.s = s
        return { s, opened: openedMs !== undefined, latencyMs: await timedPing(s, signal) }
      })
      await refreshIfStale(s, signal)
      s.missed = 0
      return {
        status: 'healthy',
        reason: null,
        latencyMs,
        error: null,
        transport: target.transport,
        capabilities: describe(s),
        ...(s.handshakeMs === undefined ? {} : { handshakeMs: s.handshakeMs }),
        opened,
      }
    } catch (e) {
      if (signal.aborted && used.s && target.transport === 'stdio') unlessHung(target.id, used.s)
      // Failing after the session opened: what its exchanges showed goes with the error.
      throw e instanceof SessionError || !used.s ? e : new SessionError(e, used.s.seen)
    }
  }

  /**
   * A stdio child that let `hungAfter` checks in a row go unanswered is hung (a deadlock, a stopped
   * process): its session and child end, and the next check starts it anew. One slow answer is not
   * enough: a server busy with a long tool call may leave a ping waiting.
   */
  function unlessHung(id: string, s: Session) {
    s.missed = (s.missed ?? 0) + 1
    if (s.missed >= hungAfter) void slots.drop(id, s).catch(() => {})
  }

  /** The server's tools with their input schemas, from the live session (listed again when stale). */
  async function tools(target: McpTarget, signal: AbortSignal): Promise<McpTool[]> {
    offer(target)
    const { s } = await slots.ensure(target, signal)
    await refreshIfStale(s, signal)
    return s.lists?.tools ?? []
  }

  return {
    check,
    tools,
    /** `tools/call` over the live session; a session the server forgot is opened again, once. */
    callTool: (target: McpTarget, name: string, args: Record<string, unknown>, signal: AbortSignal) =>
      withSession<ToolCallResult>(target, signal, (s) => callTool(s.client, name, args, signal)),
    /** A new authorization's tokens, for the server's session from its next request on. */
    adoptOAuth: (id: string, m: OAuthMaterial) => held.replace(id, m),
    /** Ends the server's session, and its child for a stdio server. */
    async close(id: string) {
      held.forget(id)
      await Promise.all([slots.close(id), stdio.forget(id)])
    },
    /** Ends every session and every child (at shutdown). */
    async closeAll() {
      await Promise.all([slots.closeAll(), stdio.stopAll()])
    },
    /** The last lines a stdio server wrote to stderr. */
    logs: stdio.logs,
    /** Children of stdio servers running now. */
    get children() {
      return stdio.running
    },
    get size() {
      return slots.size
    },
  }
}

/** What a check reports a server offers, as the registry stores it. */
function describe(s: Session): Record<string, unknown> {
  const info = s.client.getServerVersion()
  return {
    protocol_version: s.protocolVersion ?? null,
    server_info: { name: info?.name ?? null, version: info?.version ?? null },
    capabilities: s.client.getServerCapabilities() ?? {},
    // The schemas stay here for tool use; the registry shows names and descriptions.
    tools: (s.lists?.tools ?? []).map(({ name, description }) => ({ name, description })),
    resources: s.lists?.resources ?? 0,
    prompts: s.lists?.prompts ?? 0,
  }
}
