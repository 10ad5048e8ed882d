// Tool calls made on the API thread (src/modules/mcp/near.ts, near-pool.ts) against a real SDK server on
// Bun.serve that notes every request: which calls take that road, the session they use (the MCP thread's
// own, so the server sees one), what happens when the server forgot it or keeps none, and what flows during
// a call (progress, the server's requests of the client, cancellation, timeouts, errors, the SSRF guard).
import { afterAll, describe, expect, test } from 'bun:test'
import { randomUUID } from 'node:crypto'
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import {
  CallToolRequestSchema,
  ElicitResultSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
} from '@modelcontextprotocol/sdk/types.js'
import { createMcpThread, type GatewayCallLink, ThreadError } from '../src/modules/mcp'
import { createMcpSessions } from '../src/modules/mcp/client'
import { createNearPool } from '../src/modules/mcp/near-pool'
import type { HttpTarget } from '../src/modules/mcp/transports'

type Seen = { http: string; rpc?: string; id?: number; session: string | null }

/** The SDK's server with tools that echo, report progress, ask the client, wait to be cancelled, or fail. */
function server({ stateless = false } = {}) {
  const seen: Seen[] = []
  const cancelled: unknown[] = []
  const sessions: string[] = []
  // GET streams the server holds open (counted once registered: a request sent unasked then reaches one).
  let streams = 0
  // Each session's tools beyond the fixed ones: `grow` adds one, for its own session.
  let grown = false
  const transports = new Map<string, WebStandardStreamableHTTPServerTransport>()
  const http = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(req) {
      const body = req.method === 'POST' ? await req.clone().json() : undefined
      const session = req.headers.get('mcp-session-id')
      const { method: rpc, id } = (body ?? {}) as { method?: string; id?: number }
      seen.push({ http: req.method, rpc, id, session })
      const known = session ? transports.get(session) : undefined
      if (session && !known) return new Response(null, { status: 404 })
      if (known) {
        const res = await known.handleRequest(req)
        if (req.method === 'GET' && res.ok) streams++
        return res
      }
      if (stateless && req.method !== 'POST') return new Response(null, { status: 405 })
      // Stateless: a new server and transport for every request, and no session id.
      const transport: WebStandardStreamableHTTPServerTransport =
        new WebStandardStreamableHTTPServerTransport({
          sessionIdGenerator: stateless ? undefined : randomUUID,
          enableJsonResponse: stateless,
          onsessioninitialized: (sid) => {
            sessions.push(sid)
            transports.set(sid, transport)
          },
          onsessionclosed: (sid) => void transports.delete(sid),
        })
      const mcp = new Server(
        { name: 'near', version: '1.0.0' },
        { capabilities: { tools: { listChanged: true } } },
      )
      mcp.setRequestHandler(ListToolsRequestSchema, async () => ({
        tools: [
          { name: 'typed', inputSchema: { type: 'object' }, outputSchema: { type: 'object' } },
          ...(grown ? [{ name: 'grown', inputSchema: { type: 'object' } }] : []),
        ],
      }))
      mcp.setRequestHandler(CallToolRequestSchema, async (r, extra) => {
        const text = (t: string) => ({ content: [{ type: 'text', text: t }] })
        switch (r.params.name) {
          case 'echo':
            return text(`echo ${String(r.params.arguments?.message)}`)
          case 'progress': {
            const progressToken = r.params._meta?.progressToken
            if (progressToken !== undefined)
              await extra.sendNotification({
                method: 'notifications/progress',
                params: { progressToken, progress: 1, total: 2 },
              })
            return text('progressed')
          }
          case 'ask': {
            const answer = await extra.sendRequest(
              {
                method: 'elicitation/create',
                params: {
                  mode: 'form',
                  message: 'name?',
                  requestedSchema: { type: 'object', properties: {} },
                },
              },
              ElicitResultSchema,
            )
            return text(`answered ${JSON.stringify(answer.content)}`)
          }
          case 'ask-on-stream': {
            // Not tied to the call: the SDK sends it on the session's GET stream (the MCP thread's).
            const answer = await mcp.request(
              {
                method: 'elicitation/create',
                params: {
                  mode: 'form',
                  message: 'loose?',
                  requestedSchema: { type: 'object', properties: {} },
                },
              },
              ElicitResultSchema,
            )
            return text(`answered ${JSON.stringify(answer.content)}`)
          }
          case 'typed': // promises structured content, and sends none
            return text('untyped')
          case 'grow':
            grown = true
            // On the call's own stream: only the API thread's client hears it.
            await extra.sendNotification({ method: 'notifications/tools/list_changed' })
            return text('grew')
          case 'wait':
            await new Promise((resolve) => extra.signal.addEventListener('abort', resolve))
            cancelled.push(extra.signal.reason)
            return text('never sent')
          default:
            throw new McpError(ErrorCode.InvalidParams, `no tool ${r.params.name}`)
        }
      })
      await mcp.connect(transport)
      return transport.handleRequest(req)
    },
  })
  stops.push(() => http.stop(true))
  const target: HttpTarget = {
    id: 'near',
    url: `http://127.0.0.1:${http.port}/mcp`,
    transport: 'streamable-http',
    headers: {},
  }
  return {
    seen,
    cancelled,
    target,
    /** Ids of the sessions the server opened, oldest first. */
    sessions,
    open: () => transports.size,
    streams: () => streams,
    /** The server restarts: every session it had is unknown (404) from now on. */
    forget: () => transports.clear(),
    posts: (rpc: string) => seen.filter((r) => r.rpc === rpc),
  }
}

const stops: (() => unknown)[] = []
afterAll(async () => {
  for (const stop of stops.reverse()) await stop()
})

const guard = { allowPrivate: true, allowHosts: [], denyCidrs: [] }
const never = () => new AbortController().signal

/** The pool, lent sessions by the MCP client the MCP thread runs (here in this thread). */
function pool(settings = guard) {
  const owner = createMcpSessions()
  const p = createNearPool({
    guard: settings,
    lend: (target, timeoutMs, forgotten) => owner.lend(target, AbortSignal.timeout(timeoutMs), forgotten),
    onNotice: () => {},
    onListChanged: () => {},
  })
  stops.push(async () => {
    p.closeAll()
    await owner.closeAll()
  })
  return p
}

/** The MCP thread itself, as AutoMCP starts it; `notices` are what it tells the gateway. */
function thread(notices: unknown[] = []) {
  const mcp = createMcpThread(
    new URL('../src/mcp-worker.ts', import.meta.url),
    { slowMs: 1_000, dbPath: ':memory:', guard, stdio: { enabled: false, commands: [], maxChildren: 0 } },
    { onNotice: (serverId, notice) => notices.push({ serverId, notice }) },
  )
  stops.push(async () => {
    await mcp.sessions.closeAll()
    mcp.terminate()
  })
  return mcp
}

const link = (ask: GatewayCallLink['ask'], progress: unknown[] = []): GatewayCallLink => ({
  asking: {
    downstream: 'client-1',
    caps: { sampling: false, elicitForm: true, elicitUrl: false, roots: false },
  },
  progress: true,
  onProgress: (p) => progress.push(p),
  ask,
})

describe('tool calls on the API thread', () => {
  test('a plain HTTP server’s call is made on the API thread, on the session the MCP thread opened', async () => {
    const s = server()
    const mcp = thread()
    const result = await mcp.callTool(s.target, 'echo', { message: 'hi' }, 5_000)
    expect(result.content).toEqual([{ type: 'text', text: 'echo hi' }])
    expect(await mcp.sessions.nearCount()).toBe(1)
    // One session on the server: the MCP thread's (its handshake, its GET stream), which the call joined.
    expect(s.sessions).toHaveLength(1)
    expect(await mcp.sessions.count()).toBe(1)
    expect(s.posts('initialize')).toHaveLength(1)
    expect(s.posts('tools/call').map((r) => r.session)).toEqual(s.sessions)
    while (s.streams() === 0) await Bun.sleep(5)
    expect(s.seen.filter((r) => r.http === 'GET')).toHaveLength(1)

    // Request ids are the session's: the API thread's never meet the MCP thread's (which count from 0).
    const ids = s.seen.flatMap((r) => (r.id === undefined ? [] : [r.id]))
    expect(new Set(ids).size).toBe(ids.length)
    for (const call of s.posts('tools/call')) expect(call.id).toBeGreaterThanOrEqual(2 ** 30)

    // A check uses that same session; the next calls too.
    expect((await mcp.probe({ ...s.target, timeoutMs: 5_000, signal: never() })).status).toBe('healthy')
    await mcp.callTool(s.target, 'echo', { message: 'again' }, 5_000)
    expect(s.sessions).toHaveLength(1)
    const all = s.seen.flatMap((r) => (r.id === undefined ? [] : [r.id]))
    expect(new Set(all).size).toBe(all.length)
    expect(new Set(s.seen.filter((r) => r.http === 'POST').map((r) => r.session))).toEqual(
      new Set([null, s.sessions[0] as string]),
    )

    // Removing the server ends it once (one DELETE), and the API thread lets go of it.
    await mcp.sessions.close(s.target.id)
    expect(s.seen.filter((r) => r.http === 'DELETE')).toHaveLength(1)
    expect(s.open()).toBe(0)
    expect(await mcp.sessions.nearCount()).toBe(0)
  })

  test('a session the server forgot is replaced by the MCP thread, and the call made again on the new one', async () => {
    const s = server()
    const mcp = thread()
    await mcp.callTool(s.target, 'echo', { message: 1 }, 5_000)
    s.forget()
    const result = await mcp.callTool(s.target, 'echo', { message: 2 }, 5_000)
    expect(result.content).toEqual([{ type: 'text', text: 'echo 2' }])
    expect(s.sessions).toHaveLength(2)
    // The call refused with 404 was never run; it ran once, on the new session, which both threads use.
    const [first, second] = s.sessions as [string, string]
    expect(s.posts('tools/call').map((r) => r.session)).toEqual([first, first, second])
    await mcp.callTool(s.target, 'echo', { message: 3 }, 5_000)
    expect(s.posts('tools/call').at(-1)?.session).toBe(second)
    expect((await mcp.probe({ ...s.target, timeoutMs: 5_000, signal: never() })).status).toBe('healthy')
    expect(s.posts('ping').at(-1)?.session).toBe(second)
    expect(s.posts('initialize')).toHaveLength(2)
  })

  test('a server that keeps no session is called through the MCP thread', async () => {
    const s = server({ stateless: true })
    const mcp = thread()
    const result = await mcp.callTool(s.target, 'echo', { message: 'hi' }, 5_000)
    expect(result.content).toEqual([{ type: 'text', text: 'echo hi' }])
    expect(await mcp.sessions.nearCount()).toBe(0)
    expect(s.posts('tools/call')).toHaveLength(1)
  })

  test('a request the server sends on its session’s stream, not on the call’s, still reaches the call’s client', async () => {
    const s = server()
    const mcp = thread()
    await mcp.callTool(s.target, 'echo', { message: 'open' }, 5_000)
    // The server can send unasked only once the MCP thread's GET stream is there.
    while (s.streams() === 0) await Bun.sleep(5)
    const asked: unknown[] = []
    const result = await mcp.callTool(
      s.target,
      'ask-on-stream',
      {},
      5_000,
      undefined,
      link(async (method, params) => {
        asked.push({ method, message: params.message })
        return { action: 'accept', content: { name: 'Grace' } }
      }),
    )
    expect(asked).toEqual([{ method: 'elicitation/create', message: 'loose?' }])
    expect(result.content).toEqual([{ type: 'text', text: 'answered {"name":"Grace"}' }])
    // With no call of a client that accepts it in flight, it is refused.
    const alone = mcp.callTool(s.target, 'ask-on-stream', {}, 5_000)
    await expect(alone).rejects.toThrow(/no MCP client that accepts elicitation\/create/)
  })

  test('when the MCP thread replaces the session (new headers), a call in flight on it ends at once', async () => {
    const s = server()
    const mcp = thread()
    const call = mcp.callTool(s.target, 'wait', {}, 600_000).catch((e) => e as Error)
    while (s.posts('tools/call').length === 0) await Bun.sleep(5)
    const moved = { ...s.target, headers: { 'x-changed': 'yes' } }
    expect((await mcp.probe({ ...moved, timeoutMs: 5_000, signal: never() })).status).toBe('healthy')
    // The old session was ended with a DELETE the server took: the call made on it here ends with it.
    expect(s.seen.filter((r) => r.http === 'DELETE')).toHaveLength(1)
    expect(((await call) as Error).message).toContain('Connection closed')
    await mcp.callTool(moved, 'echo', { message: 'new' }, 5_000)
    expect(s.posts('tools/call').at(-1)?.session).toBe(s.sessions[1] as string)
  })

  test('calls in flight together when the server forgot the session all run once, on the new one', async () => {
    const s = server()
    const mcp = thread()
    await mcp.callTool(s.target, 'echo', { message: 0 }, 5_000)
    s.forget()
    const results = await Promise.all(
      [1, 2, 3].map((n) => mcp.callTool(s.target, 'echo', { message: n }, 5_000)),
    )
    expect(results.map((r) => r.content)).toEqual([1, 2, 3].map((n) => [{ type: 'text', text: `echo ${n}` }]))
    expect(s.sessions).toHaveLength(2)
    expect(s.posts('tools/call').filter((r) => r.session === s.sessions[1])).toHaveLength(3)
  })

  test('a list change heard on a call’s own stream: the MCP thread lists again and tells the gateway', async () => {
    const s = server()
    const notices: unknown[] = []
    const mcp = thread(notices)
    expect((await mcp.lists(s.target, 5_000)).tools.map((t) => t.name)).toEqual(['typed'])
    await mcp.callTool(s.target, 'grow', {}, 5_000)
    while (notices.length === 0) await Bun.sleep(5)
    expect(notices).toEqual([{ serverId: 'near', notice: { type: 'list_changed', list: 'tools' } }])
    expect((await mcp.lists(s.target, 5_000)).tools.map((t) => t.name)).toEqual(['typed', 'grown'])
  })

  test('a result is checked against the tool’s output schema, as the MCP thread’s client checks it, also on a session opened anew', async () => {
    const s = server()
    const mcp = thread()
    await mcp.lists(s.target, 5_000)
    const error = (await mcp.callTool(s.target, 'typed', {}, 5_000).catch((e) => e)) as Error
    expect(await mcp.sessions.nearCount()).toBe(1)
    expect(error.message).toContain('has an output schema but did not return structured content')

    // The server restarts; the call that finds out gets the new session, lent before it was listed. Its
    // first listing lists what the old one did, and still teaches the API thread's client.
    s.forget()
    await mcp.callTool(s.target, 'echo', { message: 'again' }, 5_000)
    expect(s.sessions).toHaveLength(2)
    await mcp.probe({ ...s.target, timeoutMs: 5_000, signal: never() })
    const again = (await mcp.callTool(s.target, 'typed', {}, 5_000).catch((e) => e)) as Error
    expect(s.posts('tools/call').at(-1)?.session).toBe(s.sessions[1] as string)
    expect(again.message).toContain('has an output schema but did not return structured content')
  })

  test('progress and the server’s request of the client reach the call’s link', async () => {
    const s = server()
    const near = pool()
    const progress: unknown[] = []
    const asked: unknown[] = []
    const withProgress = await near.callTool(
      s.target,
      'progress',
      {},
      5_000,
      never(),
      link(async () => ({}), progress),
    )
    expect(withProgress?.content).toEqual([{ type: 'text', text: 'progressed' }])
    expect(progress).toEqual([{ progress: 1, total: 2 }])
    const answered = await near.callTool(
      s.target,
      'ask',
      {},
      5_000,
      never(),
      link(async (method, params) => {
        asked.push({ method, message: params.message })
        return { action: 'accept', content: { name: 'Ada' } }
      }),
    )
    expect(asked).toEqual([{ method: 'elicitation/create', message: 'name?' }])
    expect(answered?.content).toEqual([{ type: 'text', text: 'answered {"name":"Ada"}' }])
  })

  test('a request no caller can answer is refused, and a link’s refusal reaches the server with its code', async () => {
    const s = server()
    const near = pool()
    // A chat's call (no link) can answer nothing: the server's elicitation fails, and so does its tool.
    const alone = near.callTool(s.target, 'ask', {}, 5_000, never())
    await expect(alone).rejects.toThrow(/no MCP client that accepts elicitation\/create/)
    const refused = near.callTool(
      s.target,
      'ask',
      {},
      5_000,
      never(),
      link(() => Promise.reject(Object.assign(new Error('the user said no'), { code: -32042 }))),
    )
    // The server got the refusal's own code, and failed its tool with it.
    const error = (await refused.catch((e) => e)) as ThreadError
    expect(error.code).toBe(-32042)
    expect(error.message).toContain('the user said no')
  })

  test('a cancelled call is cancelled on the server; a call with no answer fails at its timeout', async () => {
    const s = server()
    const near = pool()
    const controller = new AbortController()
    const call = near.callTool(s.target, 'wait', {}, 60_000, controller.signal)
    while (!s.seen.some((r) => r.rpc === 'tools/call')) await Bun.sleep(5)
    controller.abort()
    await expect(call).rejects.toThrow('cancelled')
    while (s.cancelled.length === 0) await Bun.sleep(5)
    expect(s.seen.some((r) => r.rpc === 'notifications/cancelled')).toBe(true)

    const timedOut = near.callTool(s.target, 'wait', {}, 50, never())
    await expect(timedOut).rejects.toThrow('no answer within 50 ms')
  })

  test('the server’s JSON-RPC error keeps its code; the SSRF guard refuses a private address unless allowed', async () => {
    const s = server()
    const near = pool()
    const error = await near.callTool(s.target, 'missing', {}, 5_000, never()).catch((e) => e)
    expect(error).toBeInstanceOf(ThreadError)
    expect(error).toMatchObject({ code: ErrorCode.InvalidParams })
    expect((error as Error).message).toContain('no tool missing')

    // The session is lent (here unguarded), but the call itself goes through the guard too.
    const guarded = pool({ allowPrivate: false, allowHosts: [], denyCidrs: [] })
    const calls = s.posts('tools/call').length
    await expect(guarded.callTool(s.target, 'echo', {}, 5_000, never())).rejects.toThrow(/127\.0\.0\.1/)
    expect(s.posts('tools/call')).toHaveLength(calls)
  })
})
