// Tool calls to plain streamable HTTP servers, made on the API thread itself (./near.ts says which and
// why), on the session the MCP thread opened. Loaded on the first such call, so that start-up does not
// evaluate the SDK's client.

import { createGuardedFetch } from '../../shared/guarded-fetch'
import { createPolicy, type GuardSettings } from '../../shared/ssrf'
import { isFailed, rpcErrorOf, ThreadError } from './failure'
import type { GatewayCallLink } from './messages'
import { httpStatusOf } from './outcome'
import { joinSession, type Lent, type Session, sessionKey, type UpstreamHooks } from './session'
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
type Joined = { key: string; session: Promise<Session | null>; ready?: Session | null; id?: string }

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
}: {
  /** The SSRF guard's settings: every request goes through it, as on the MCP thread. */
  guard: GuardSettings
  lend: Lend
  /** A server's log line (or another notification) during a call, for the gateway. */
  onNotice: (serverId: string, notice: Notice) => void
}) {
  const fetch = createGuardedFetch(createPolicy(guard))
  const joined = new Map<string, Joined>()
  // Gateway calls in flight, by their number here: where a server's request of the client goes.
  const links = new Map<number, GatewayCallLink>()
  let numbered = 0
  const inFlight = new Set<AbortController>()

  const hooks: UpstreamHooks = {
    notice: (serverId, notice) => onNotice(serverId, notice),
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
  function joinedFor(target: HttpTarget, timeoutMs: number, forgotten?: string): Joined {
    const key = sessionKey(target)
    const had = joined.get(target.id)
    const stale = had && (had.key !== key || had.ready?.closed || (forgotten && had.id === forgotten))
    if (had && !stale) return had
    if (had) forget(target.id, had)
    const entry: Joined = { key, session: Promise.resolve(null) }
    entry.session = lend(target, timeoutMs, forgotten).then((lent) => {
      entry.id = lent?.sessionId
      return lent && joinSession(target, lent, { fetch, hooks })
    })
    entry.session.then(
      (s) => {
        entry.ready = s
      },
      // A failure is not kept: the next call asks again.
      () => forget(target.id, entry),
    )
    joined.set(target.id, entry)
    return entry
  }

  /** Drops the joined client (the session stays open on the server: the MCP thread owns it). */
  function forget(id: string, entry: Joined) {
    if (joined.get(id) === entry) joined.delete(id)
    void entry.session.then((s) => s?.client.close()).catch(() => {})
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
        const call = (session: Session) => callAsking(session, asking, name, args, s, options)
        const entry = joinedFor(target, timeoutMs)
        const session = await untilAborted(entry.session, s)
        if (!session) return undefined
        try {
          return await call(session)
        } catch (e) {
          if (httpStatusOf(e) !== 404 || !entry.id) throw e
          const again = await untilAborted(joinedFor(target, timeoutMs, entry.id).session, s)
          return again ? await call(again) : undefined
        }
      })
      if (isFailed(result)) throw new ThreadError(result.failed, result.code)
      return result
    } finally {
      inFlight.delete(controller)
      links.delete(asking.call)
      signal?.removeEventListener('abort', cancel)
    }
  }

  return {
    callTool,
    /** A server's request not tied to a call (it came on the MCP thread's stream): asked as on a call's. */
    ask(serverId: string, method: string, params: Record<string, unknown>) {
      const session = joined.get(serverId)?.ready ?? { asking: new Set<AskingCall>(), serverId }
      return hooks.ask(session, method, params, new AbortController().signal)
    },
    /** The MCP thread's session `sessionId` ended: the client on it here goes too, failing its calls. */
    ended(serverId: string, sessionId: string) {
      const entry = joined.get(serverId)
      // Still being joined (its id not known yet): dropped once it is, if it is that session.
      void entry?.session
        .then(() => {
          if (entry.id === sessionId) forget(serverId, entry)
        })
        .catch(() => {})
    },
    /** Drops the server's client here (its session was closed by the MCP thread, or is being). */
    close(id: string) {
      const entry = joined.get(id)
      if (entry) forget(id, entry)
    },
    /** Fails the calls in flight and drops every client (at shutdown). */
    closeAll() {
      for (const c of inFlight) c.abort(new Error('AutoMCP is stopping'))
      for (const [id, entry] of joined) forget(id, entry)
    },
    /** Servers whose sessions have a client here. */
    get size() {
      let n = 0
      for (const entry of joined.values()) if (entry.ready && !entry.ready.closed) n++
      return n
    },
  }
}
