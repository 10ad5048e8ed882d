// The background thread: MCP sessions and every check's network and protocol work run here, and so do
// the database's WAL checkpoints, so neither a sweep of a thousand servers nor an fsync holds up the
// API's event loop. Messages: see ./remote.ts.

import { setPriority } from 'node:os'
import { startCheckpointer } from '../../../db/checkpointer'
import { createGuardedFetch, type FetchLike } from '../../../shared/guarded-fetch'
import { createPolicy, type GuardSettings } from '../../../shared/ssrf'
import { createProber, type ProbeTarget } from '.'
import { createMcpSessions } from './mcp'

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

// Every request to a registered URL goes through the SSRF guard, set up by the first message.
let guarded: FetchLike = () => Promise.reject(new Error('probe thread not configured yet'))
const guardedFetch: FetchLike = (input, init) => guarded(input, init)
const sessions = createMcpSessions({ fetch: guardedFetch })
let stopping = new AbortController()

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
  }
}

let prober = createProber({ sessions, slowMs: 1_000, fetch: guardedFetch })
let stopCheckpointer = () => {}
