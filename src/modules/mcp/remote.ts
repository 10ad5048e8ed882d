import type { McpTool } from './lists'
import type {
  Failed,
  McpRequest,
  OAuthUrls,
  Pending as PendingAuth,
  ThreadEvent,
  ThreadSettings,
} from './messages'
import type { Begun } from './oauth/flows'
import type { OAuthEvent, StoredClient, StoredTokens } from './oauth/material'
import type { ProbeOutcome } from './outcome'
import type { ProbeTarget } from './probe'
import type { LogLine } from './stdio/log-ring'
import type { ProcessEvent } from './stdio/supervisor'
import type { ToolCallResult } from './tool-call'
import type { HttpTarget, McpTarget } from './transports'

type Pending = Map<number, (result: unknown) => void>
type WithoutSeq<T> = T extends unknown ? Omit<T, 'seq'> : never

export type McpThread = ReturnType<typeof createMcpThread>

/**
 * The API thread's handle on the MCP thread: the prober and the MCP sessions run in a Worker (./worker.ts,
 * started from `entry`) and are called by message. The scheduler, flap control and the database stay on
 * the API thread; only the network work moves.
 */
export function createMcpThread(
  entry: URL,
  settings: ThreadSettings,
  {
    onProcess = () => {},
    onOAuth = () => {},
  }: { onProcess?: (event: ProcessEvent) => void; onOAuth?: (event: OAuthEvent) => void } = {},
) {
  // smol: JavaScriptCore's small heap; the thread holds sessions, not big data.
  const worker = new Worker(entry, { name: 'mcp', smol: true })
  worker.postMessage(settings)
  const pending: Pending = new Map()
  let seq = 0
  let ended: Error | undefined
  worker.onmessage = (event: MessageEvent<{ seq: number; result: unknown } | ThreadEvent>) => {
    if ('event' in event.data) return onProcess(event.data.event)
    if ('oauth' in event.data) return onOAuth(event.data.oauth)
    const settle = pending.get(event.data.seq)
    pending.delete(event.data.seq)
    settle?.(event.data.result)
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
        else if (isFailed(r)) reject(new Error(r.failed))
        else resolve(r as T)
      })
      worker.postMessage({ ...request, seq })
    })

  /** A tool operation that `signal` cancels in the thread too (which then answers with its failure). */
  function abortable<T>(request: WithoutSeq<McpRequest>, signal?: AbortSignal): Promise<T> {
    let callSeq = 0
    const abort = () => void call({ op: 'abortCall', call: callSeq }).catch(() => {})
    signal?.addEventListener('abort', abort, { once: true })
    return call<T>(request, (s) => {
      callSeq = s
    }).finally(() => signal?.removeEventListener('abort', abort))
  }

  return {
    probe: ({ signal: _, ...target }: ProbeTarget) => call<ProbeOutcome>({ op: 'probe', target }),
    sessions: {
      /** Closes the server's MCP session (HTTP DELETE on streamable HTTP). */
      close: (serverId: string) => call<null>({ op: 'close', serverId }).then(() => {}),
      /** Aborts checks in flight and closes every session. */
      closeAll: () => call<null>({ op: 'closeAll' }).then(() => {}),
      count: () => call<number>({ op: 'count' }),
    },
    /** The tools of a server, with their input schemas, from its live MCP session. */
    tools: (target: McpTarget, timeoutMs: number, signal?: AbortSignal) =>
      abortable<McpTool[]>({ op: 'tools', target, timeoutMs }, signal),
    /** MCP `tools/call`; rejects with the reason when the call could not be made or got no answer. */
    callTool: (
      target: McpTarget,
      name: string,
      args: Record<string, unknown>,
      timeoutMs: number,
      signal?: AbortSignal,
    ) => abortable<ToolCallResult>({ op: 'callTool', target, name, args, timeoutMs }, signal),
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

const isFailed = (r: unknown): r is Failed =>
  typeof r === 'object' && r !== null && typeof (r as Failed).failed === 'string'
