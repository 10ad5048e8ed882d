import { batchedPost, eachOf } from './batched-post'
import { isFailed, rpcErrorOf, ThreadError } from './failure'
import type { McpTool, ServerLists } from './lists'
import type {
  Ask,
  GatewayCallLink,
  McpRequest,
  OAuthUrls,
  Pending as PendingAuth,
  RpcError,
  ThreadEvent,
  ThreadSettings,
} from './messages'
import { callsNear, createNearCalls } from './near'
import type { Begun } from './oauth/flows'
import type { OAuthEvent, StoredClient, StoredTokens } from './oauth/material'
import type { ProbeOutcome } from './outcome'
import type { ProbeTarget } from './probe'
import type { Lent } from './session'
import type { LogLine } from './stdio/log-ring'
import type { ProcessEvent } from './stdio/supervisor'
import type { ToolCallResult } from './tool-call'
import type { HttpTarget, McpTarget } from './transports'
import type { Notice } from './upstream'

type Pending = Map<number, (result: unknown) => void>
/** What the thread sends: an answer to a request (by its seq), or an event of its own. */
type Reply = { seq: number; result: unknown } | ThreadEvent
type WithoutSeq<T> = T extends unknown ? Omit<T, 'seq'> : never
type CallTool = (
  target: McpTarget,
  name: string,
  args: Record<string, unknown>,
  timeoutMs: number,
  signal?: AbortSignal,
  /** A gateway call's link to its client: its progress, and what the server asks of the client. */
  link?: GatewayCallLink,
) => Promise<ToolCallResult>

export type McpThread = ReturnType<typeof createMcpThread>

/**
 * The API thread's handle on the MCP thread: the prober and the MCP sessions run in a Worker (./worker.ts,
 * started from `entry`) and are called by message. The scheduler, flap control and the database stay on
 * the API thread; only the network work moves, but for the tool calls ./near.ts makes here, on the
 * thread's sessions.
 */
export function createMcpThread(
  entry: URL,
  settings: ThreadSettings,
  {
    onProcess = () => {},
    onOAuth = () => {},
    onNotice = () => {},
  }: {
    onProcess?: (event: ProcessEvent) => void
    onOAuth?: (event: OAuthEvent) => void
    /** A server's notification, for the gateway. */
    onNotice?: (serverId: string, notice: Notice) => void
  } = {},
) {
  // smol: JavaScriptCore's small heap; the thread holds sessions, not big data.
  const worker = new Worker(entry, { name: 'mcp', smol: true })
  worker.postMessage(settings)
  const pending: Pending = new Map()
  // Gateway calls in flight, by seq: where their progress and their servers' requests go.
  const links = new Map<number, GatewayCallLink>()
  let seq = 0
  let ended: Error | undefined
  // Requests cross in batches (./batched-post.ts), and so do the thread's answers and events.
  // A request that cannot cross (a value that does not clone) fails its call.
  const post = batchedPost<McpRequest>(
    (batch) => worker.postMessage(batch),
    (request, e) => settle(request.seq, new Error(`could not send ${request.op} to the MCP thread: ${e}`)),
  )
  worker.onmessage = (event: MessageEvent<Reply[]>) => eachOf(event.data, receive)
  const receive = (data: Reply) => {
    if ('event' in data) return onProcess(data.event)
    if ('oauth' in data) return onOAuth(data.oauth)
    if ('notice' in data) return onNotice(data.notice.serverId, data.notice.notice)
    if ('progress' in data) return links.get(data.progress.call)?.onProgress(data.progress.params)
    if ('ask' in data) return void askClient(data.ask)
    if ('ended' in data) return near.ended(data.ended.serverId, data.ended.sessionId, data.ended.forgotten)
    if ('tools' in data) return near.tools(data.tools.serverId, data.tools.sessionId, data.tools.tools)
    settle(data.seq, data.result)
  }
  const settle = (seq: number, result: unknown) => {
    const waiting = pending.get(seq)
    pending.delete(seq)
    waiting?.(result)
  }

  /**
   * A server's request of a gateway call's client (or, on a session lent to this thread, of whichever
   * client the calls made here allow), answered back to the thread (an error when gone).
   */
  async function askClient(ask: Ask) {
    const { id, method, params } = ask
    let answer: { result?: unknown; error?: RpcError }
    try {
      if ('server' in ask) answer = { result: await near.ask(ask.server, method, params) }
      else {
        const link = links.get(ask.call)
        if (!link) throw new ThreadError('the call that the request belongs to has ended', -32603)
        answer = { result: await link.ask(method, params) }
      }
    } catch (e) {
      answer = { error: rpcErrorOf(e) }
    }
    await call({ op: 'answerClient', ask: id, ...answer }).catch(() => {})
  }
  // A thread that died answers nothing more: fail what waits, and whatever asks later.
  const end = (error: Error) => {
    ended ??= error
    for (const settle of pending.values()) settle(error)
    pending.clear()
  }
  worker.addEventListener('error', (e) => end(new Error(`MCP thread failed: ${e.message}`)))
  const call = <T>(request: WithoutSeq<McpRequest>, onSeq?: (seq: number) => void): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (ended) return reject(ended)
      seq++
      onSeq?.(seq)
      pending.set(seq, (r) => {
        if (r instanceof Error) reject(r)
        else if (isFailed(r)) reject(new ThreadError(r.failed, r.code))
        else resolve(r as T)
      })
      post({ ...request, seq })
    })

  /** A tool operation that `signal` cancels in the thread too (which then answers with its failure). */
  function abortable<T>(
    request: WithoutSeq<McpRequest>,
    signal?: AbortSignal,
    onSeq?: (seq: number) => void,
  ): Promise<T> {
    let callSeq = 0
    const abort = () => void call({ op: 'abortCall', call: callSeq }).catch(() => {})
    signal?.addEventListener('abort', abort, { once: true })
    return call<T>(request, (s) => {
      callSeq = s
      onSeq?.(s)
    }).finally(() => signal?.removeEventListener('abort', abort))
  }

  /** `tools/call` made by the thread, with the gateway call's link kept here for its progress and asks. */
  const callInThread: CallTool = (target, name, args, timeoutMs, signal, link) => {
    const gateway = link && { asking: link.asking, progress: link.progress }
    let callSeq = 0
    return abortable<ToolCallResult>(
      { op: 'callTool', target, name, args, timeoutMs, ...(gateway ? { gateway } : {}) },
      signal,
      (s) => {
        callSeq = s
        if (link) links.set(s, link)
      },
    ).finally(() => links.delete(callSeq))
  }
  const callTool: CallTool = (target, name, args, timeoutMs, signal, link) => {
    const viaThread = () => callInThread(target, name, args, timeoutMs, signal, link)
    return callsNear(target)
      ? near.callTool(target, name, args, timeoutMs, signal, link, viaThread)
      : viaThread()
  }

  // Tool calls to plain streamable HTTP servers are made on this thread, on the thread's sessions (./near.ts).
  const near = createNearCalls({
    guard: settings.guard,
    lend: (target, timeoutMs, forgotten) => call<Lent | null>({ op: 'lend', target, timeoutMs, forgotten }),
    onNotice,
    onListChanged: (serverId) => void call({ op: 'relist', serverId }).catch(() => {}),
  })

  return {
    probe: ({ signal: _, ...target }: ProbeTarget) => call<ProbeOutcome>({ op: 'probe', target }),
    sessions: {
      /** Closes the server's MCP sessions, the thread's and the tool calls' (HTTP DELETE on streamable HTTP). */
      close: (serverId: string) => {
        near.close(serverId)
        return call<null>({ op: 'close', serverId }).then(() => {})
      },
      /** Aborts checks and calls in flight and closes every session. */
      closeAll: () => Promise.all([call<null>({ op: 'closeAll' }), near.closeAll()]).then(() => {}),
      /** Sessions the MCP thread has open (the checks'). */
      count: () => call<number>({ op: 'count' }),
      /** Sessions the API thread has open for tool calls (./near.ts). */
      nearCount: near.size,
    },
    /** The tools of a server, with their input schemas, from its live MCP session. */
    tools: (target: McpTarget, timeoutMs: number, signal?: AbortSignal) =>
      abortable<McpTool[]>({ op: 'tools', target, timeoutMs }, signal),
    /** MCP `tools/call`; rejects with the reason when the call could not be made or got no answer. */
    callTool,
    /** Everything a server offers (tools, resources, templates, prompts), from its live session. */
    lists: (target: McpTarget, timeoutMs: number, signal?: AbortSignal) =>
      abortable<ServerLists>({ op: 'lists', target, timeoutMs }, signal),
    /** Any other MCP request to the server (prompts/get, resources/read…), its result as the server gave it. */
    request: (
      target: McpTarget,
      method: string,
      params: Record<string, unknown>,
      timeoutMs: number,
      signal?: AbortSignal,
    ) => abortable<Record<string, unknown>>({ op: 'request', target, method, params, timeoutMs }, signal),
    /** The last `limit` lines a stdio server's children wrote to stderr, oldest first. */
    logs: (serverId: string, limit: number) => call<LogLine[]>({ op: 'logs', serverId, limit }),
    oauth: {
      /** Discovery, the client and the authorization URL: rejects with the reason when any step fails. */
      begin: (target: HttpTarget, state: string, urls: OAuthUrls) =>
        call<Begun>({ op: 'oauthBegin', target, state, ...urls }),
      /** The code exchanged for tokens. */
      finish: (target: HttpTarget, begun: PendingAuth, code: string, urls: OAuthUrls) =>
        call<{ tokens: StoredTokens; client?: StoredClient }>({
          op: 'oauthFinish',
          target,
          begun,
          code,
          ...urls,
        }),
      /** RFC 7009 revocation where offered; true when the server took it. */
      revoke: (target: HttpTarget) => call<boolean>({ op: 'oauthRevoke', target }),
    },
    /** Ends the thread; close the sessions first. */
    terminate() {
      worker.terminate()
      end(new Error('MCP thread stopped'))
    },
  }
}
