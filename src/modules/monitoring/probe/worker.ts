// The probe thread: MCP sessions and every check's network and protocol work run here, so a sweep of
// a thousand servers never holds up the API's event loop. Messages: see ./remote.ts.
import { createProber, type ProbeTarget } from '.'
import { createMcpSessions } from './mcp'

declare const self: Worker

export type ProbeRequest =
  | { op: 'probe'; seq: number; target: Omit<ProbeTarget, 'signal'> }
  | { op: 'close'; seq: number; serverId: string }
  | { op: 'closeAll'; seq: number }
  | { op: 'count'; seq: number }

const sessions = createMcpSessions()
let stopping = new AbortController()

self.onmessage = async (event: MessageEvent<{ slowMs: number } | ProbeRequest>) => {
  const msg = event.data
  if (!('op' in msg)) {
    prober = createProber({ sessions, slowMs: msg.slowMs })
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
    case 'closeAll':
      stopping.abort(new DOMException('stopping', 'AbortError'))
      stopping = new AbortController()
      await sessions.closeAll()
      self.postMessage({ seq: msg.seq, result: null })
      return
    case 'count':
      self.postMessage({ seq: msg.seq, result: sessions.size })
  }
}

let prober = createProber({ sessions, slowMs: 1_000 })
