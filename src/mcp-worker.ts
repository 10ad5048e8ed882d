// Entry point of the MCP thread, AutoMCP's second thread. It does two jobs, so that neither holds up the
// API's event loop: AutoMCP's MCP client work (sessions, checks, lists, the tool calls the API thread does
// not make itself: modules/mcp/worker.ts) and
// the database's WAL checkpoints, whose fsyncs would otherwise land on the API thread (db/checkpointer.ts).
// It sits beside main.ts so that `new URL('./mcp-worker.ts', import.meta.url)` finds it both from source
// and inside the compiled executable, where `npm run build` embeds it as a second entry point.

import { setPriority } from 'node:os'
import { startCheckpointer } from './db/checkpointer'
import { serveMcpThread } from './modules/mcp/client'

declare const self: Worker

// When the API's thread and this one both want the CPU, the API should win: checks spend their time
// waiting on the network, so a few ms more for a handshake cost them little, while a request queued
// behind a burst of 500 handshakes is what a dashboard user feels. On Linux the niceness of the calling
// thread alone changes (threads are tasks); where that is refused, nothing else changes.
try {
  setPriority(10)
} catch {}

let stopCheckpointer = () => {}
serveMcpThread(self, {
  configured: ({ dbPath }) => {
    if (dbPath !== ':memory:') stopCheckpointer = startCheckpointer(dbPath)
  },
  stopping: () => stopCheckpointer(),
})
