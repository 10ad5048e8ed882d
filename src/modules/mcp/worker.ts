// The background thread: MCP sessions and every check's network and protocol work run here, and so do
// the database's WAL checkpoints, so neither a sweep of a thousand servers nor an fsync holds up the
// API's event loop. Messages: see ./remote.ts.

import { setPriority } from 'node:os'
import { startCheckpointer } from '../../db/checkpointer'
import { createGuardedFetch, type FetchLike } from '../../shared/guarded-fetch'
import { createPolicy, type GuardSettings } from '../../shared/ssrf'
import { createProber, type ProbeTarget } from './probe'
import { createMcpSessions } from './sessions'
import type { McpTarget } from './transports'

declare const self: Worker

// When the API's thread and this one both want the CPU, the API should win: checks spend their time
// waiting on the network, so a few ms more for a handshake cost them little, while a request queued
// behind a burst of 500 handshakes is what a dashboard user feels. On Linux the niceness of the calling
// thread alone changes (threads are tasks); where that is refused, nothing else changes.
try {
  setPriority(10)
} catch {}

export type ProbeRequest =
  | { op: 'probe'; seq: number; target: Omit<ProbeTarget, 'signal'> }
  | { op: 'close'; seq: number; serverId: string }
  | { op: 'closeAll'; seq: number }
  | { op: 'count'; seq: number }
  | { op: 'tools'; seq: number; target: McpTarget; timeoutMs: number }
  | {
      op: 'callTool'
      seq: number
      target: McpTarget
      name: string
      args: Record<string, unknown>
      timeoutMs: number
    }
  | { op: 'abortCall'; seq: number; call: number }

/** How a tool operation that failed comes back (an Error does not survive postMessage as itself). */
export type Failed = { failed: string }

// Every request to a registered URL goes through the SSRF guard, set up by the first message.
let guarded: FetchLike = () => Promise.reject(new Error('probe thread not configured yet'))
const guardedFetch: FetchLike = (input, init) => guarded(input, init)
const sessions = createMcpSessions({ fetch: guardedFetch })
let stopping = new AbortController()
// Tool calls in flight, by the seq of their request: the chat that made one may cancel it.
const calls = new Map<number, AbortController>()

/** Runs a tool operation under its timeout (and shutdown, and cancellation), reporting failure as data. */
async function toolOp<T>(seq: number, timeoutMs: number, op: (signal: AbortSignal) => Promise<T>) {
  const controller = new AbortController()
  calls.set(seq, controller)
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
  const stop = () => controller.abort(new Error('AutoMCP is stopping'))
  stopping.signal.addEventListener('abort', stop, { once: true })
  try {
    return await op(controller.signal)
  } catch (e) {
    const reason = controller.signal.aborted ? controller.signal.reason : e
    return { failed: reason instanceof Error ? reason.message : String(reason) } satisfies Failed
  } finally {
    clearTimeout(timer)
    calls.delete(seq)
    stopping.signal.removeEventListener('abort', stop)
  }
}

export type ThreadSettings = { slowMs: number; dbPath: string; guard: GuardSettings }

self.onmessage = async (event: MessageEvent<ThreadSettings | ProbeRequest>) => {
  const msg = event.data
  if (!('op' in msg)) {
    guarded = createGuardedFetch(createPolicy(msg.guard))
    prober = createProber({ sessions, slowMs: msg.slowMs, fetch: guardedFetch })
    if (msg.dbPath !== ':memory:') stopCheckpointer = startCheckpointer(msg.dbPath)
    return
  }
  switch (msg.op) {
    case 'probe':
      self.postMessage({ seq: msg.seq, result: await prober({ ...msg.target, signal: stopping.signal }) })
      return
    case 'close':
      await sessions.close(msg.serverId)
      self.postMessage({ seq: msg.seq, result: null })
      return
    case 'closeAll': // the last call, at shutdown
      stopCheckpointer()
      stopping.abort(new DOMException('stopping', 'AbortError'))
      stopping = new AbortController()
      await sessions.closeAll()
      self.postMessage({ seq: msg.seq, result: null })
      return
    case 'count':
      self.postMessage({ seq: msg.seq, result: sessions.size })
      return
    case 'tools':
      self.postMessage({
        seq: msg.seq,
        result: await toolOp(msg.seq, msg.timeoutMs, (signal) => sessions.tools(msg.target, signal)),
      })
      return
    case 'callTool':
      self.postMessage({
        seq: msg.seq,
        result: await toolOp(msg.seq, msg.timeoutMs, (signal) =>
          sessions.callTool(msg.target, msg.name, msg.args, signal),
        ),
      })
      return
    case 'abortCall':
      calls.get(msg.call)?.abort(new Error('cancelled'))
      self.postMessage({ seq: msg.seq, result: null })
  }
}

let prober = createProber({ sessions, slowMs: 1_000, fetch: guardedFetch })
let stopCheckpointer = () => {}
