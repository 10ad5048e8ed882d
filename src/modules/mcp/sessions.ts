import { ResultSchema } from '@modelcontextprotocol/sdk/types.js'
import type { FetchLike } from '../../shared/guarded-fetch'
import { MINUTE } from '../../shared/time'
import { createLending } from './lending'
import { listAll, type McpTool, type ServerLists, type ToolMetadata, toolMetadata } from './lists'
import { createOAuthFetch } from './oauth/fetch'
import { createOAuthHolder } from './oauth/holder'
import type { OAuthEvent, OAuthMaterial } from './oauth/material'
import { type ProbeOutcome, SessionError } from './outcome'
import { openSession, type Session, timedPing } from './session'
import { createSessionSlots } from './session-slot'
import { createStdioSupervisor, type ProcessEvent, type StdioSettings } from './stdio/supervisor'
import { type CallOptions, callAsking, type ToolCallResult } from './tool-call'
import type { HttpTarget, McpTarget } from './transports'
import { type AskingCall, type Notice, ownCall, whoToAsk } from './upstream'

/** What the gateway hears of the servers: their notifications, and their requests for a call's client. */
export type GatewayHooks = {
  notice: (serverId: string, notice: Notice) => void
  ask: (
    call: AskingCall,
    method: string,
    params: Record<string, unknown>,
    signal: AbortSignal,
  ) => Promise<unknown>
  /**
   * A request made on a session lent to the API thread: its calls are made there, and so the API thread
   * chooses whom to ask.
   */
  askLent: (
    serverId: string,
    method: string,
    params: Record<string, unknown>,
    signal: AbortSignal,
  ) => Promise<unknown>
  /** A session lent to the API thread ended (`forgotten`: the server forgot it): its calls there end with it. */
  lentEnded: (serverId: string, sessionId: string, forgotten: boolean) => void
  /** The tools of a lent session changed: what the API thread's client checks calls against. */
  lentTools: (serverId: string, sessionId: string, tools: ToolMetadata[]) => void
}

/** A gateway call's options: progress to pass on, and the client that made it (asked on its behalf). */
export type GatewayCallOptions = CallOptions & { asking?: AskingCall }

const listKinds = ['tools', 'resources', 'prompts'] as const
// Lists refreshed after a server said they changed: a few round trips.
const relistMs = 10_000

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
  gateway,
}: {
  fetch?: FetchLike
  /** The gateway's hooks (none: notifications are dropped, requests of the client refused). */
  gateway?: GatewayHooks
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
  // What each server listed last, per list, to tell the gateway when they change (a restarted server may
  // come back with other tools and never say so).
  const listed = new Map<string, Record<(typeof listKinds)[number], string>>()
  const hooks = {
    notice(serverId: string, notice: Notice, s: Session) {
      if (notice.type === 'list_changed') void relist(serverId, s).catch(() => {})
      else gateway?.notice(serverId, notice)
    },
    ask(
      session: Pick<Session, 'asking' | 'serverId' | 'lent'>,
      method: string,
      params: Record<string, unknown>,
      signal: AbortSignal,
    ) {
      // Calls are made on the API thread: it chooses, unless calls made here are in flight (a server that
      // gained OAuth goes on with the same session).
      if (session.lent && gateway && session.asking.size === 0)
        return gateway.askLent(session.serverId, method, params, signal)
      const who = whoToAsk(gateway ? session.asking : [], method, params)
      if ('refused' in who) return Promise.reject(who.refused)
      if ('answer' in who) return Promise.resolve(who.answer)
      return (gateway as GatewayHooks).ask(who, method, params, signal)
    },
    closed(s: Session) {
      if (s.lent) gateway?.lentEnded(s.serverId, s.lent, s.forgotten === true)
    },
  }
  const slots = createSessionSlots((target, signal) =>
    openSession(target, signal, { fetch: fetchFn, stdio, oauthFetch, hooks }),
  )

  /** Lists the server's offer again, now, and tells the gateway which lists changed. */
  async function relist(serverId: string, s: Session) {
    s.listsAt = 0
    await refreshIfStale(serverId, s, AbortSignal.timeout(relistMs))
  }
  /** The session's requests use the newest material: the database's copy, or a refresh made here since. */
  const offer = (target: McpTarget) => {
    if (target.transport !== 'stdio' && target.oauth) held.offer(target.id, target.oauth)
  }

  /** `use` on the server's live session, opened again once when the server forgot it (./session-slot.ts). */
  function withSession<T>(
    target: McpTarget,
    signal: AbortSignal,
    use: (s: Session, openedMs?: number) => Promise<T>,
  ): Promise<T> {
    offer(target)
    return slots.use(target, signal, use)
  }

  async function refreshIfStale(serverId: string, s: Session, signal: AbortSignal): Promise<ServerLists> {
    if (s.lists && Date.now() - s.listsAt <= listRefreshMs) return s.lists
    const lists = await listAll(s.client, signal)
    s.lists = lists
    s.listsAt = Date.now()
    const was = listed.get(serverId)
    const now = {
      tools: JSON.stringify(lists.tools),
      resources: JSON.stringify([lists.resources, lists.templates]),
      prompts: JSON.stringify(lists.prompts),
    }
    listed.set(serverId, now)
    // Per session: one opened anew after a restart may list what the server listed before.
    if (s.lent && s.toldTools !== now.tools) {
      s.toldTools = now.tools
      gateway?.lentTools(serverId, s.lent, toolMetadata(lists.tools))
    }
    if (was)
      for (const list of listKinds)
        if (was[list] !== now[list]) gateway?.notice(serverId, { type: 'list_changed', list })
    return lists
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
      await refreshIfStale(target.id, s, signal)
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

  /** Everything the server offers, from the live session (listed again when stale). */
  async function lists(target: McpTarget, signal: AbortSignal): Promise<ServerLists> {
    offer(target)
    const { s } = await slots.ensure(target, signal)
    return refreshIfStale(target.id, s, signal)
  }

  /**
   * `tools/call` over the live session; a session the server forgot is opened again, once. A gateway
   * call is known to the session while in flight, so that what the server asks goes to its client.
   */
  function callToolOn(
    target: McpTarget,
    name: string,
    args: Record<string, unknown>,
    signal: AbortSignal,
    options: GatewayCallOptions = {},
  ) {
    // Every call in flight is known to the session: a server's request is passed on only when one caller
    // could have caused it.
    const asking = options.asking ?? ownCall()
    return withSession<ToolCallResult>(target, signal, (s) =>
      callAsking(s, asking, name, args, signal, options),
    )
  }

  const lending = createLending({ slots, offer, relist })

  return {
    check,
    lists,
    lend: lending.lend,
    relistLent: lending.relist,
    /** The server's tools with their input schemas. */
    tools: async (target: McpTarget, signal: AbortSignal): Promise<McpTool[]> =>
      (await lists(target, signal)).tools,
    callTool: callToolOn,
    /**
     * Any other request (prompts/get, resources/read, completion/complete, resources/subscribe…) over the
     * live session, its result passed on as the server gave it.
     */
    request: (target: McpTarget, method: string, params: Record<string, unknown>, signal: AbortSignal) =>
      withSession(target, signal, (s) =>
        s.client.request({ method, params } as never, ResultSchema, { signal, timeout: 2 ** 31 - 1 }),
      ),
    /** A new authorization's tokens, for the server's session from its next request on. */
    adoptOAuth: (id: string, m: OAuthMaterial) => held.replace(id, m),
    /** Ends the server's session, and its child for a stdio server. */
    async close(id: string) {
      held.forget(id)
      listed.delete(id)
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
    resources: s.lists?.resources.length ?? 0,
    prompts: s.lists?.prompts.length ?? 0,
  }
}
