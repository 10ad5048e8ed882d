import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import {
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js'
import { version } from '../../version'
import type { FetchLike } from './http-probe'
import { httpStatusOf, type ProbeOutcome } from './outcome'
import { sharedSchemaValidator } from './schema-validator'

export type McpTarget = {
  id: string
  url: string
  transport: 'streamable-http' | 'sse'
  headers: Record<string, string>
}

type Session = {
  key: string
  client: Client
  transport: StreamableHTTPClientTransport | SSEClientTransport
  protocolVersion?: string
  lists?: { tools: McpTool[]; resources: number; prompts: number }
  listsAt: number
  closed: boolean
}

/** A session being opened, shared by every caller that wants one for the same id and key. */
type Opening = {
  key: string
  promise: Promise<Opened>
  controller: AbortController
  waiters: number
  settled: boolean
  /** Why its session must not be kept: every caller gave up on it. */
  dropped?: unknown
}

type Opened = { s: Session; openedMs?: number }

/**
 * What the cache holds for one server id. Its identity stands for the server's registration: `close`
 * takes it out of the map and marks it removed, so an open still in flight for it cannot store a session.
 */
type Slot = { session?: Session; opening?: Opening; removed?: Error }

/** A tool as the server lists it: what a model needs to call it. */
export type McpTool = { name: string; description?: string; inputSchema: Record<string, unknown> }

/** What `tools/call` answered: `ok` is false when the tool reported an error (`isError`). */
export type ToolCallResult = { ok: boolean; content: unknown[]; structuredContent?: unknown }

const maxPages = 20
// Resuming a dropped stream is worth a quick try or two, not seconds of a chat's time.
const reconnectionOptions = {
  initialReconnectionDelay: 250,
  maxReconnectionDelay: 1_000,
  reconnectionDelayGrowFactor: 2,
  maxRetries: 2,
}

export type McpSessions = ReturnType<typeof createMcpSessions>

/**
 * One live MCP session per server, kept between checks: a check on a live session is a single `ping`.
 * Sessions are re-opened when lost and closed (HTTP DELETE on streamable HTTP) when a server goes away.
 */
export function createMcpSessions({
  fetch: fetchFn,
  listRefreshMs = 10 * 60_000,
}: {
  fetch?: FetchLike
  listRefreshMs?: number
} = {}) {
  const slots = new Map<string, Slot>()
  const keyOf = (t: McpTarget) => `${t.transport} ${t.url} ${JSON.stringify(t.headers)}`

  async function open(target: McpTarget, signal: AbortSignal): Promise<Session> {
    const url = new URL(target.url)
    const options = { requestInit: { headers: target.headers }, ...(fetchFn ? { fetch: fetchFn } : {}) }
    const transport =
      target.transport === 'sse'
        ? new SSEClientTransport(url, options)
        : new StreamableHTTPClientTransport(url, { ...options, reconnectionOptions })
    const client = new Client(
      { name: 'automcp', version },
      { capabilities: {}, jsonSchemaValidator: sharedSchemaValidator },
    )
    const session: Session = { key: keyOf(target), client, transport, listsAt: 0, closed: false }
    // The SDK negotiates the version and hands the result to the transport: keep a copy for the record.
    const setVersion = transport.setProtocolVersion?.bind(transport)
    transport.setProtocolVersion = (v: string) => {
      session.protocolVersion = v
      setVersion?.(v)
    }
    const stale = () => {
      session.listsAt = 0
    }
    client.setNotificationHandler(ToolListChangedNotificationSchema, stale)
    client.setNotificationHandler(ResourceListChangedNotificationSchema, stale)
    client.setNotificationHandler(PromptListChangedNotificationSchema, stale)
    client.onclose = () => {
      session.closed = true
    }
    // When a server dies in the middle of a streamed answer, the SDK tries to resume the stream, then
    // only reports that it gave up: the request would wait for its timeout (30 s for a tool call).
    // Closing the session fails whatever waits on it now; the next check or call opens a new one.
    client.onerror = (e) => {
      if (/Maximum reconnection attempts/.test(e.message)) void client.close().catch(() => {})
    }
    try {
      await client.connect(transport, { signal })
    } catch (e) {
      await client.close().catch(() => {})
      throw e
    }
    return session
  }

  async function refreshLists(s: Session, signal: AbortSignal) {
    const caps = s.client.getServerCapabilities() ?? {}
    const tools: McpTool[] = []
    let resources = 0
    let prompts = 0
    if (caps.tools) {
      let cursor: string | undefined
      for (let page = 0; page < maxPages; page++) {
        const res = await s.client.listTools(cursor ? { cursor } : undefined, { signal })
        for (const t of res.tools)
          tools.push({ name: t.name, description: t.description, inputSchema: t.inputSchema })
        cursor = res.nextCursor
        if (!cursor) break
      }
    }
    if (caps.resources)
      resources = await countPages((cursor) => s.client.listResources(cursor, { signal }), 'resources')
    if (caps.prompts)
      prompts = await countPages((cursor) => s.client.listPrompts(cursor, { signal }), 'prompts')
    s.lists = { tools, resources, prompts }
    s.listsAt = Date.now()
  }

  async function countPages<K extends string>(
    list: (params?: { cursor: string }) => Promise<Record<K, unknown[]> & { nextCursor?: string }>,
    key: K,
  ): Promise<number> {
    let count = 0
    let cursor: string | undefined
    for (let page = 0; page < maxPages; page++) {
      const res = await list(cursor ? { cursor } : undefined)
      count += res[key].length
      cursor = res.nextCursor
      if (!cursor) break
    }
    return count
  }

  async function close(id: string) {
    const slot = slots.get(id)
    if (!slot) return
    slots.delete(id)
    await remove(slot, new Error('the server was removed'))
  }

  async function remove(slot: Slot, reason: Error) {
    slot.removed = reason
    const s = slot.session
    slot.session = undefined
    if (s) await shut(s)
  }

  async function shut(s: Session) {
    s.closed = true
    // A server that stopped answering must not hold up removal or shutdown.
    const deadline = AbortSignal.timeout(2_000)
    if (s.transport instanceof StreamableHTTPClientTransport)
      await Promise.race([s.transport.terminateSession().catch(() => {}), aborted(deadline)])
    await Promise.race([s.client.close().catch(() => {}), aborted(deadline)])
  }

  const aborted = (signal: AbortSignal) =>
    new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()))

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
    const key = keyOf(target)
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
        await shut(s)
        continue
      }
      return { ...(await join(slot, startOpen(target, slot), signal)), slot }
    }
  }

  /**
   * The open runs under a signal of its own, aborted only when every caller waiting on it has given up:
   * tied to the first caller's signal, that caller's timeout would fail the others (and each would open
   * again), while nobody waiting means nobody to hand the session to.
   */
  function startOpen(target: McpTarget, slot: Slot): Opening {
    const state = { key: keyOf(target), controller: new AbortController(), waiters: 0, settled: false }
    const o: Opening = Object.assign(state, { promise: openInto(target, slot, state) })
    slot.opening = o
    return o
  }

  async function openInto(target: McpTarget, slot: Slot, o: Omit<Opening, 'promise'>): Promise<Opened> {
    const started = performance.now()
    try {
      const s = await open(target, o.controller.signal)
      // Removed (or given up on) during the handshake: nobody else will ever close this session.
      const unwanted = slot.removed ?? o.dropped
      if (unwanted) {
        await shut(s)
        throw unwanted
      }
      slot.session = s
      return { s, openedMs: performance.now() - started }
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
      if (--o.waiters === 0 && !o.settled) {
        o.dropped = signal.reason
        // The next caller opens afresh rather than joining an open that is being aborted.
        if (slot.opening === o) slot.opening = undefined
        o.controller.abort(signal.reason)
      }
    }
  }

  /** `promise`, or the signal's reason as soon as it aborts (what the SDK's requests reject with too). */
  function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason)
    return new Promise<T>((resolve, reject) => {
      const stop = () => reject(signal.reason)
      signal.addEventListener('abort', stop, { once: true })
      promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop))
    })
  }

  /** Forgets a session the server no longer knows (404: restart, expiry) and opens a new one. */
  async function reopen(target: McpTarget, slot: Slot, old: Session, signal: AbortSignal) {
    // Of the callers that got a 404 on the same session, the first replaces it; the others use its new one.
    if (slot.session === old) {
      slot.session = undefined
      await shut(old)
    }
    return ensure(target, signal, slot)
  }

  /** Pings the server over its live session (opening one when needed) and describes what it offers. */
  async function check(target: McpTarget, signal: AbortSignal): Promise<ProbeOutcome> {
    let { s, openedMs, slot } = await ensure(target, signal)
    // A new session's handshake is its check: no ping on top.
    let latencyMs = openedMs
    if (latencyMs === undefined) {
      try {
        latencyMs = await timedPing(s, signal)
      } catch (e) {
        if (httpStatusOf(e) !== 404) throw e
        ;({ s, openedMs: latencyMs } = await reopen(target, slot, s, signal))
        // Another caller had already replaced the session: it needs the ping this check is.
        latencyMs ??= await timedPing(s, signal)
      }
    }
    if (Date.now() - s.listsAt > listRefreshMs) await refreshLists(s, signal)
    const info = s.client.getServerVersion()
    return {
      status: 'healthy',
      reason: null,
      latencyMs: latencyMs ?? 0,
      error: null,
      transport: target.transport,
      capabilities: {
        protocol_version: s.protocolVersion ?? null,
        server_info: { name: info?.name ?? null, version: info?.version ?? null },
        capabilities: s.client.getServerCapabilities() ?? {},
        // The schemas stay here for tool use; the registry shows names and descriptions.
        tools: (s.lists?.tools ?? []).map(({ name, description }) => ({ name, description })),
        resources: s.lists?.resources ?? 0,
        prompts: s.lists?.prompts ?? 0,
      },
    }
  }

  /** The server's tools with their input schemas, from the live session (listed again when stale). */
  async function tools(target: McpTarget, signal: AbortSignal): Promise<McpTool[]> {
    const { s } = await ensure(target, signal)
    if (Date.now() - s.listsAt > listRefreshMs) await refreshLists(s, signal)
    return s.lists?.tools ?? []
  }

  /** `tools/call` over the live session; a session the server forgot is opened again, once. */
  async function callTool(
    target: McpTarget,
    name: string,
    args: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<ToolCallResult> {
    let { s, slot } = await ensure(target, signal)
    const call = (session: Session) =>
      session.client.callTool({ name, arguments: args }, undefined, { signal, timeout: 2 ** 31 - 1 })
    let res: Awaited<ReturnType<typeof call>>
    try {
      res = await call(s)
    } catch (e) {
      if (httpStatusOf(e) !== 404) throw e
      ;({ s } = await reopen(target, slot, s, signal))
      res = await call(s)
    }
    return {
      ok: res.isError !== true,
      content: Array.isArray(res.content) ? res.content : [],
      ...(res.structuredContent !== undefined ? { structuredContent: res.structuredContent } : {}),
    }
  }

  async function timedPing(s: Session, signal: AbortSignal): Promise<number> {
    const started = performance.now()
    await s.client.ping({ signal })
    return performance.now() - started
  }

  return {
    check,
    tools,
    callTool,
    close,
    async closeAll() {
      const all = [...slots.values()]
      slots.clear()
      await Promise.all(all.map((slot) => remove(slot, new Error('the sessions were closed'))))
    },
    get size() {
      let size = 0
      for (const slot of slots.values()) if (slot.session) size++
      return size
    },
  }
}
