import { httpStatusOf } from './outcome'
import { type Session, sessionKey, shutSession } from './session'
import type { McpTarget } from './transports'

/** A session being opened, shared by every caller that wants one for the same id and key. */
type Opening = {
  key: string
  promise: Promise<Opened>
  controller: AbortController
  waiters: number
  settled: boolean
  /** Why its session must not be kept: every caller gave up on it. */
  dropped?: unknown
  /** Goes on when every caller gave up (a stdio server's start-up: see `lasts`). */
  lasting: boolean
}

/**
 * A stdio server's open goes on when the check that began it times out: starting a program costs it a
 * while (a Node server ~0.3 s of CPU), and fifty of them starting at once on two cores take longer than a
 * check. Ending each half-started child at its check's timeout, then starting it again at the next check,
 * would keep all of them starting forever. The next check joins the open still under way.
 */
const lasts = (target: McpTarget) => target.transport === 'stdio'
const lastingOpenMs = 60_000

/** A session, and how long its handshake took when this caller's request is what opened it. */
export type Opened = { s: Session; openedMs?: number }

/**
 * What the pool holds for one server id. Its identity stands for the server's registration: `close`
 * takes it out of the map and marks it removed, so an open still in flight for it cannot store a session.
 */
export type Slot = { session?: Session; opening?: Opening; removed?: Error }

export type SessionSlots = ReturnType<typeof createSessionSlots>

type Open = (target: McpTarget, signal: AbortSignal) => Promise<Session>

/**
 * One slot per server id, and the bookkeeping that keeps it to one session however callers race:
 * concurrent callers share one open, a session for an old address is replaced, a removed server keeps none.
 */
export function createSessionSlots(open: Open) {
  const slots = new Map<string, Slot>()

  function slotOf(id: string) {
    const slot = slots.get(id) ?? {}
    slots.set(id, slot)
    return slot
  }

  /**
   * The server's live session, opened when there is none (or the one there is went away or changed).
   * Callers that race here share one open: a second session would be an orphan on the server.
   */
  async function ensure(
    target: McpTarget,
    signal: AbortSignal,
    slot = slotOf(target.id),
  ): Promise<Opened & { slot: Slot }> {
    const key = sessionKey(target)
    for (;;) {
      signal.throwIfAborted()
      if (slot.removed) throw slot.removed
      const { session: s, opening: o } = slot
      if (s && !s.closed && s.key === key) return { s, slot }
      if (o?.key === key) return { ...(await join(slot, o, signal)), slot }
      if (o) {
        // An open for the server's old address or headers: let it finish first, then replace its session.
        const finished = o.promise.catch(() => {})
        await untilAborted(finished, signal)
        continue
      }
      if (s) {
        slot.session = undefined
        await shutSession(s)
        continue
      }
      return { ...(await join(slot, startOpen(target, slot, open), signal)), slot }
    }
  }

  /** Forgets a session the server no longer knows (404: restart, expiry) and opens a new one. */
  async function reopen(target: McpTarget, slot: Slot, old: Session, signal: AbortSignal) {
    // Of the callers that got a 404 on the same session, the first replaces it; the others use its new one.
    if (slot.session === old) {
      slot.session = undefined
      old.forgotten = true
      await shutSession(old)
    }
    return ensure(target, signal, slot)
  }

  async function remove(slot: Slot, reason: Error) {
    slot.removed = reason
    const s = slot.session
    slot.session = undefined
    if (s) await shutSession(s)
  }

  /**
   * `use` on the server's live session (opening one when needed). A session the server forgot (404: a
   * restart, an expiry) is opened again, once; `openedMs` is set when `use` gets a session just opened.
   */
  async function useLive<T>(
    target: McpTarget,
    signal: AbortSignal,
    use: (s: Session, openedMs?: number) => Promise<T>,
  ): Promise<T> {
    const { s, openedMs, slot } = await ensure(target, signal)
    try {
      return await use(s, openedMs)
    } catch (e) {
      if (httpStatusOf(e) !== 404 && !s.forgotten) throw e
      const again = await reopen(target, slot, s, signal)
      return use(again.s, again.openedMs)
    }
  }

  return {
    ensure,
    use: useLive,
    /** The server's live session, if it has one now. */
    current(id: string): Session | undefined {
      const s = slots.get(id)?.session
      return s && !s.closed ? s : undefined
    },
    /** Ends `s` if it is still the server's session; the next caller opens a new one. */
    async drop(id: string, s: Session) {
      const slot = slots.get(id)
      if (slot?.session !== s) return
      slot.session = undefined
      await shutSession(s)
    },
    async close(id: string) {
      const slot = slots.get(id)
      if (!slot) return
      slots.delete(id)
      await remove(slot, new Error('the server was removed'))
    },
    async closeAll() {
      const all = [...slots.values()]
      slots.clear()
      await Promise.all(all.map((slot) => remove(slot, new Error('the sessions were closed'))))
    },
    /** Sessions open; one its server or stream lost is no longer counted. */
    get size() {
      let size = 0
      for (const slot of slots.values()) if (slot.session && !slot.session.closed) size++
      return size
    },
  }
}

/**
 * The open runs under a signal of its own, aborted only when every caller waiting on it has given up:
 * tied to the first caller's signal, that caller's timeout would fail the others (and each would open
 * again), while nobody waiting means nobody to hand the session to.
 */
function startOpen(target: McpTarget, slot: Slot, open: Open): Opening {
  const state = {
    key: sessionKey(target),
    controller: new AbortController(),
    waiters: 0,
    settled: false,
    lasting: lasts(target),
  }
  // An open that outlives its callers still has an end: the program may never answer.
  const timer = state.lasting
    ? setTimeout(
        () => state.controller.abort(new DOMException('handshake timed out', 'TimeoutError')),
        lastingOpenMs,
      )
    : undefined
  const promise = openInto(target, slot, state, open).finally(() => clearTimeout(timer))
  // A lasting open may end after every caller left: its failure is then nobody's to handle.
  if (state.lasting) promise.catch(() => {})
  const o: Opening = Object.assign(state, { promise })
  slot.opening = o
  return o
}

async function openInto(
  target: McpTarget,
  slot: Slot,
  o: Omit<Opening, 'promise'>,
  open: Open,
): Promise<Opened> {
  const started = performance.now()
  try {
    const s = await open(target, o.controller.signal)
    // Removed (or given up on) during the handshake: nobody else will ever close this session.
    const unwanted = slot.removed ?? o.dropped
    if (unwanted) {
      await shutSession(s)
      throw unwanted
    }
    s.handshakeMs = performance.now() - started
    slot.session = s
    return { s, openedMs: s.handshakeMs }
  } catch (e) {
    throw slot.removed ?? e
  } finally {
    o.settled = true
    if (slot.opening === o) slot.opening = undefined
  }
}

async function join(slot: Slot, o: Opening, signal: AbortSignal): Promise<Opened> {
  o.waiters++
  try {
    return await untilAborted(o.promise, signal)
  } finally {
    if (--o.waiters === 0 && !o.settled && !o.lasting) {
      o.dropped = signal.reason
      // The next caller opens afresh rather than joining an open that is being aborted.
      if (slot.opening === o) slot.opening = undefined
      o.controller.abort(signal.reason)
    }
  }
}

/** `promise`, or the signal's reason as soon as it aborts (what the SDK's requests reject with too). */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(signal.reason)
    signal.addEventListener('abort', stop, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop))
  })
}
