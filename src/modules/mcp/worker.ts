// The MCP thread's side: MCP sessions and every check's network and protocol work run here, so that a
// sweep of a thousand servers does not hold up the API's event loop. The thread's entry, src/mcp-worker.ts,
// runs the database's WAL checkpoints here too. Messages: ./messages.ts; the API thread's side: ./remote.ts.

import { createGuardedFetch, type FetchLike } from '../../shared/guarded-fetch'
import { createPolicy } from '../../shared/ssrf'
import { batchedPost } from './batched-post'
import type { McpRequest, ThreadEvent, ThreadSettings } from './messages'
import { beginAuthorization, finishAuthorization, revokeTokens } from './oauth/flows'
import { createProber } from './probe'
import { createMcpSessions, type GatewayCallOptions, type GatewayHooks } from './sessions'
import { runToolOp } from './tool-op'
import type { HttpTarget } from './transports'
import type { AskingCall } from './upstream'
import { Unanswerable } from './upstream'

// Discovery, registration and a token request, each a few round trips to the authorization server.
const oauthTimeoutMs = 30_000

const materialOf = (target: HttpTarget) => {
  if (!target.oauth) throw new Error('this server has no OAuth settings')
  return target.oauth
}

/** What else the thread does, told when it is configured and when it stops. */
export type ThreadHooks = {
  /** The settings arrived (the first message). */
  configured?: (settings: ThreadSettings) => void
  /** `closeAll`, the last call at shutdown, arrived: before the sessions close. */
  stopping?: () => void
}

/** Answers the API thread's requests (./remote.ts) on `port`, the thread's `self`. */
export function serveMcpThread(port: Worker, hooks: ThreadHooks = {}) {
  // Answers and events cross in batches (./batched-post.ts), as the API thread's requests do.
  // An answer that cannot cross (a value that does not clone) is sent as its failure instead.
  const post = batchedPost<ThreadEvent | { seq: number; result: unknown }>(
    (batch) => port.postMessage(batch),
    (message, e) => {
      if ('seq' in message)
        post({ seq: message.seq, result: { failed: `the answer could not cross to the API thread: ${e}` } })
      // An event's values come parsed from JSON or are the thread's own: this is not expected.
      else console.error(`MCP thread: an event could not cross to the API thread: ${e}`)
    },
  )
  // Every request to a registered URL goes through the SSRF guard, set up by the first message.
  let guarded: FetchLike = () => Promise.reject(new Error('MCP thread not configured yet'))
  const guardedFetch: FetchLike = (input, init) => guarded(input, init)
  let sessions = createMcpSessions({ fetch: guardedFetch })
  let prober = createProber({ sessions, slowMs: 1_000, fetch: guardedFetch })
  let stopping = new AbortController()
  // Tool calls in flight, by the seq of their request: the chat that made one may cancel it.
  const calls = new Map<number, AbortController>()

  /** Runs a tool operation under its timeout (and shutdown, and cancellation), reporting failure as data. */
  async function toolOp<T>(seq: number, timeoutMs: number, op: (signal: AbortSignal) => Promise<T>) {
    const controller = new AbortController()
    calls.set(seq, controller)
    const stop = () => controller.abort(new Error('AutoMCP is stopping'))
    stopping.signal.addEventListener('abort', stop, { once: true })
    try {
      return await runToolOp(timeoutMs, controller, op)
    } finally {
      calls.delete(seq)
      stopping.signal.removeEventListener('abort', stop)
    }
  }

  /** The guarded fetch, ended by `signal` (an operation's timeout) too. */
  const within =
    (signal: AbortSignal): FetchLike =>
    (input, init) =>
      guardedFetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal })

  const gateway = createGatewayBridge(post)

  /** A gateway call's options: its client (asked on its behalf while it runs) and its progress. */
  const gatewayOptions = (msg: Extract<McpRequest, { op: 'callTool' }>): GatewayCallOptions => {
    if (!msg.gateway) return {}
    const call = msg.seq
    return {
      asking: { ...msg.gateway.asking, call },
      ...(msg.gateway.progress
        ? { onProgress: (params) => post({ progress: { call, params } } satisfies ThreadEvent) }
        : {}),
    }
  }

  async function answer(msg: McpRequest): Promise<unknown> {
    switch (msg.op) {
      case 'probe':
        return prober({ ...msg.target, signal: stopping.signal })
      case 'close':
        await sessions.close(msg.serverId)
        return null
      case 'closeAll': // the last call, at shutdown
        hooks.stopping?.()
        stopping.abort(new DOMException('stopping', 'AbortError'))
        stopping = new AbortController()
        await sessions.closeAll()
        return null
      case 'count':
        return sessions.size
      case 'tools':
        return toolOp(msg.seq, msg.timeoutMs, (signal) => sessions.tools(msg.target, signal))
      case 'callTool':
        return toolOp(msg.seq, msg.timeoutMs, (signal) =>
          sessions.callTool(msg.target, msg.name, msg.args, signal, gatewayOptions(msg)),
        )
      case 'lists':
        return toolOp(msg.seq, msg.timeoutMs, (signal) => sessions.lists(msg.target, signal))
      case 'relist':
        sessions.relistLent(msg.serverId)
        return null
      case 'lend':
        return toolOp(msg.seq, msg.timeoutMs, (signal) => sessions.lend(msg.target, signal, msg.forgotten))
      case 'request':
        return toolOp(msg.seq, msg.timeoutMs, (signal) =>
          sessions.request(msg.target, msg.method, msg.params, signal),
        )
      case 'answerClient':
        gateway.answered(msg.ask, msg)
        return null
      case 'oauthBegin':
        return toolOp(msg.seq, oauthTimeoutMs, (signal) =>
          beginAuthorization(msg.target.url, materialOf(msg.target), msg, within(signal)),
        )
      case 'oauthFinish':
        return toolOp(msg.seq, oauthTimeoutMs, async (signal) => {
          const m = materialOf(msg.target)
          const done = await finishAuthorization(msg.target.url, m, msg.begun, msg.code, msg, within(signal))
          // The session uses the new tokens from its next request, whatever a refresh under way brings back.
          sessions.adoptOAuth(msg.target.id, {
            ...m,
            tokens: done.tokens,
            client: done.client ?? m.client,
            discovery: msg.begun.discovery,
            challenge: undefined,
          })
          return done
        })
      case 'oauthRevoke':
        return toolOp(msg.seq, oauthTimeoutMs, (signal) =>
          revokeTokens(materialOf(msg.target), within(signal)),
        )
      case 'logs':
        return sessions.logs(msg.serverId, msg.limit)
      case 'abortCall':
        calls.get(msg.call)?.abort(new Error('cancelled'))
        return null
    }
  }

  // The settings come alone and first; requests come in batches.
  port.onmessage = (event: MessageEvent<ThreadSettings | McpRequest[]>) => {
    if (Array.isArray(event.data)) for (const msg of event.data) void reply(msg)
    else configure(event.data)
  }
  const reply = async (msg: McpRequest) => post({ seq: msg.seq, result: await answer(msg) })
  const configure = (msg: ThreadSettings) => {
    guarded = createGuardedFetch(createPolicy(msg.guard))
    // No session is open before the settings arrive: the pool that can start stdio servers replaces it.
    sessions = createMcpSessions({
      fetch: guardedFetch,
      stdio: msg.stdio,
      onProcess: (event) => post({ event } satisfies ThreadEvent),
      onOAuth: (oauth) => post({ oauth } satisfies ThreadEvent),
      gateway: gateway.hooks,
    })
    prober = createProber({ sessions, slowMs: msg.slowMs, fetch: guardedFetch })
    hooks.configured?.(msg)
  }
}

/**
 * The gateway's side of the sessions: servers' notifications go to the API thread as they come, and a
 * request a server makes of a gateway call's client waits for the answer the API thread sends back.
 */
function createGatewayBridge(post: (event: ThreadEvent) => void) {
  const waiting = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>()
  let asks = 0
  /** The request posted to the API thread, for the client of `about`; settled by `answered`. */
  const asked = (
    about: { call: number } | { server: string },
    method: string,
    params: Record<string, unknown>,
    signal: AbortSignal,
  ) =>
    new Promise((resolve, reject) => {
      const id = ++asks
      const done = () => {
        waiting.delete(id)
        signal.removeEventListener('abort', abort)
      }
      const abort = () => {
        done()
        reject(signal.reason instanceof Error ? signal.reason : new Error('cancelled'))
      }
      signal.addEventListener('abort', abort, { once: true })
      waiting.set(id, {
        resolve: (r) => {
          done()
          resolve(r)
        },
        reject: (e) => {
          done()
          reject(e)
        },
      })
      post({ ask: { id, ...about, method, params } } satisfies ThreadEvent)
    })
  const hooks: GatewayHooks = {
    notice: (serverId, notice) => post({ notice: { serverId, notice } } satisfies ThreadEvent),
    ask: (call: AskingCall, method, params, signal) => asked({ call: call.call }, method, params, signal),
    askLent: (server, method, params, signal) => asked({ server }, method, params, signal),
    lentEnded: (serverId, sessionId, forgotten) =>
      post({ ended: { serverId, sessionId, forgotten } } satisfies ThreadEvent),
    lentTools: (serverId, sessionId, tools) =>
      post({ tools: { serverId, sessionId, tools } } satisfies ThreadEvent),
  }
  return {
    hooks,
    answered(id: number, { result, error }: { result?: unknown; error?: { code: number; message: string } }) {
      const w = waiting.get(id)
      if (!w) return
      if (error) w.reject(new Unanswerable(error.code, error.message))
      else w.resolve(result)
    },
  }
}
