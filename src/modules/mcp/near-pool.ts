// Tool calls to plain streamable HTTP servers, made on the API thread itself (./near.ts says which and
// why), on the session the MCP thread opened. Loaded on the first such call, so that start-up does not
// evaluate the SDK's client.

import { createGuardedFetch } from '../../shared/guarded-fetch'
import { createPolicy, type GuardSettings } from '../../shared/ssrf'
import { isFailed, rpcErrorOf, settled } from './failure'
import type { ToolMetadata } from './lists'
import type { GatewayCallLink } from './messages'
import { httpStatusOf } from './outcome'
import { joinSession, type Lent, learnTools, type Session, sessionKey, type UpstreamHooks } from './session'
import { untilAborted } from './session-slot'
import { callAsking, type ToolCallResult } from './tool-call'
import { runToolOp } from './tool-op'
import type { HttpTarget } from './transports'
import { type AskingCall, type Notice, ownCall, Unanswerable, whoToAsk } from './upstream'

export type NearPool = ReturnType<typeof createNearPool>

/**
 * The MCP thread's live session for `target` (opened when needed, or anew when it is the one the server
 * `forgotten`), or null when the server keeps none.
 */
export type Lend = (target: HttpTarget, timeoutMs: number, forgotten?: string) => Promise<Lent | null>

/** A server's session joined here: null when the server keeps no session (its calls go through the thread). */
type Joined = {
  serverId: string
  key: string
  session: Promise<Session | null>
  ready?: Session | null
  id?: string
  /** Calls using it now. */
  calls: number
  /** No longer the server's: closed once its last call ends. */
  retired?: boolean
}

// The handshake a lend may wait for, whichever call asked first: the calls waiting on it each end at
// their own timeout.
const lendTimeoutMs = 60_000

/**
 * A client per server on the MCP thread's own session (./session.ts `joinSession`): the server sees one
 * session, whose state (a subscription, a tool its calls add) stays whole. Its GET stream, and so what
 * the server sends unasked, stays with the MCP thread; what belongs to a call (progress, logs, the
 * server's requests of the call's client) comes on the call's own POST, here.
 */
export function createNearPool({
  guard,
  lend,
  onNotice,
  onListChanged,
}: {
  /** The SSRF guard's settings: every request goes through it, as on the MCP thread. */
  guard: GuardSettings
  lend: Lend
  /** A server's log line or resource change during a call, for the gateway. */
  onNotice: (serverId: string, notice: Notice) => void
  /** A list changed, as a call heard: the MCP thread lists the server again. */
  onListChanged: (serverId: string) => void
}) {
  const fetch = createGuardedFetch(createPolicy(guard))
  const joined = new Map<string, Joined>()
  // Gateway calls in flight, by their number here: where a server's request of the client goes.
  const links = new Map<number, GatewayCallLink>()
  let numbered = 0
  const inFlight = new Set<AbortController>()

  const hooks: UpstreamHooks = {
    notice: (serverId, notice) =>
      notice.type === 'list_changed' ? onListChanged(serverId) : onNotice(serverId, notice),
    async ask(session, method, params, signal) {
      const who = whoToAsk(session.asking, method, params)
      if ('refused' in who) throw who.refused
      if ('answer' in who) return who.answer
      const link = links.get(who.call)
      if (!link) throw new Unanswerable(-32603, 'the call that the request belongs to has ended')
      signal.throwIfAborted()
      try {
        return await link.ask(method, params)
      } catch (e) {
        const { code, message } = rpcErrorOf(e)
        throw new Unanswerable(code, message)
      }
    },
  }

  /**
   * The server's session joined here: joined on first use, and again when the target's address or headers
   * change or the server forgot the session (`forgotten`, its id).
   */
  function joinedFor(target: HttpTarget, forgotten?: string): Joined {
    const key = sessionKey(target)
    const had = joined.get(target.id)
    const stale = had && (had.key !== key || had.ready?.closed || (forgotten && had.id === forgotten))
    if (had && !stale) return had
    // Calls still on a session the server forgot get their own 404 and come back here.
    if (had) forgotten && had.id === forgotten ? retire(had) : drop(had)
    const entry: Joined = { serverId: target.id, key, session: Promise.resolve(null), calls: 0 }
    entry.session = lend(target, lendTimeoutMs, forgotten).then((lent) => {
      entry.id = lent?.sessionId
      return lent && joinSession(target, lent, { fetch, hooks })
    })
    entry.session.then(
      (s) => {
        entry.ready = s
      },
      // A failure is not kept: the next call asks again.
      () => drop(entry),
    )
    joined.set(target.id, entry)
    return entry
  }

  /** Drops the joined client now, failing its calls (the session stays open: the MCP thread owns it). */
  function drop(entry: Joined) {
    if (joined.get(entry.serverId) === entry) joined.delete(entry.serverId)
    void entry.session.then((s) => s?.client.close()).catch(() => {})
  }
  /** Takes the client out of use, and closes it when its last call ends. */
  function retire(entry: Joined) {
    entry.retired = true
    if (joined.get(entry.serverId) === entry) joined.delete(entry.serverId)
    if (entry.calls === 0) drop(entry)
  }

  /** The call on the session `entry` holds; undefined when the server keeps no session. */
  async function callOn(entry: Joined, signal: AbortSignal, call: (s: Session) => Promise<ToolCallResult>) {
    entry.calls++
    try {
      const session = await untilAborted(entry.session, signal)
      return session ? await call(session) : undefined
    } finally {
      if (--entry.calls === 0 && entry.retired) drop(entry)
    }
  }

  /**
   * The call on the server's session, under the caller's signal and the timeout; undefined when the
   * server keeps no session (its calls go through the MCP thread). A session the server forgot (a 404: a
   * restart, an expiry; the call never ran) is replaced by the MCP thread, and the call made again, once.
   */
  async function callTool(
    target: HttpTarget,
    name: string,
    args: Record<string, unknown>,
    timeoutMs: number,
    signal?: AbortSignal,
    link?: GatewayCallLink,
  ): Promise<ToolCallResult | undefined> {
    const controller = new AbortController()
    const cancel = () => controller.abort(new Error('cancelled'))
    if (signal?.aborted) cancel()
    signal?.addEventListener('abort', cancel, { once: true })
    const asking: AskingCall = link ? { ...link.asking, call: ++numbered } : ownCall()
    if (link) links.set(asking.call, link)
    const options = link?.progress ? { onProgress: link.onProgress } : {}
    inFlight.add(controller)
    try {
      const result = await runToolOp(timeoutMs, controller, async (s) => {
        s.throwIfAborted()
        const call = (session: Session) => callAsking(session, asking, name, args, s, options)
        const entry = joinedFor(target)
        try {
          return await callOn(entry, s, call)
        } catch (e) {
          if (httpStatusOf(e) !== 404 || !entry.id) throw e
          return await callOn(joinedFor(target, entry.id), s, call)
        }
      })
      // A request whose POST failed stays in the SDK's table of requests awaiting an answer until it is
      // aborted, and a joined client lives long: aborted now. (Its abort sends the server a cancellation
      // of each request made under the signal; a server that answered with its own error, a code, is
      // spared that.)
      if (isFailed(result) && result.code === undefined && !controller.signal.aborted) controller.abort()
      return settled(result)
    } finally {
      inFlight.delete(controller)
      links.delete(asking.call)
      signal?.removeEventListener('abort', cancel)
    }
  }

  /** The entry joined to session `sessionId` of the server, once its id is known. */
  function whenJoined(serverId: string, sessionId: string, then: (entry: Joined) => void) {
    const entry = joined.get(serverId)
    void entry?.session
      .then(() => {
        if (entry.id === sessionId) then(entry)
      })
      .catch(() => {})
  }

  return {
    callTool,
    /** A server's request not tied to a call (it came on the MCP thread's stream): asked as on a call's. */
    ask(serverId: string, method: string, params: Record<string, unknown>) {
      const session = joined.get(serverId)?.ready ?? { asking: new Set<AskingCall>(), serverId }
      return hooks.ask(session, method, params, new AbortController().signal)
    },
    /**
     * The MCP thread's session `sessionId` ended: the client on it goes too, failing its calls at once,
     * or, when the server forgot the session, once they got their own 404 (they are then made again).
     */
    ended(serverId: string, sessionId: string, forgotten: boolean) {
      whenJoined(serverId, sessionId, forgotten ? retire : drop)
    },
    /** The session's tools changed: what its client here checks calls against. */
    tools(serverId: string, sessionId: string, tools: ToolMetadata[]) {
      whenJoined(serverId, sessionId, (entry) => entry.ready && learnTools(entry.ready.client, tools))
    },
    /** Drops the server's client here (its session was closed by the MCP thread, or is being). */
    close(id: string) {
      const entry = joined.get(id)
      if (entry) drop(entry)
    },
    /** Fails the calls in flight and drops every client (at shutdown). */
    closeAll() {
      for (const c of inFlight) c.abort(new Error('AutoMCP is stopping'))
      for (const entry of joined.values()) drop(entry)
    },
    /** Servers whose sessions have a client here. */
    get size() {
      let n = 0
      for (const entry of joined.values()) if (entry.ready && !entry.ready.closed) n++
      return n
    },
  }
}
