import { McpError } from '@modelcontextprotocol/sdk/types.js'
import { ThreadError } from './failure'
import type { Failed } from './messages'
import { httpStatusOf } from './outcome'

/**
 * Runs a tool operation under `controller` (its owner aborts it on cancellation or shutdown) and a timeout,
 * and reports failure as data: an Error does not cross between threads as itself, and both roads of a
 * tool call (./worker.ts, ./near-pool.ts) fail the same way.
 */
export async function runToolOp<T>(
  timeoutMs: number,
  controller: AbortController,
  op: (signal: AbortSignal) => Promise<T>,
): Promise<T | Failed> {
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
  try {
    return await op(controller.signal)
  } catch (e) {
    return failureOf(controller.signal.aborted ? controller.signal.reason : e)
  } finally {
    clearTimeout(timer)
  }
}

/** A failure as its message (with the HTTP status the SDK's error carries) and the server's own code. */
function failureOf(reason: unknown): Failed {
  const message = reason instanceof Error ? reason.message : String(reason)
  const status = httpStatusOf(reason)
  const failed = status && !message.includes(`HTTP ${status}`) ? `${message} (HTTP ${status})` : message
  // The server's own JSON-RPC error (an unknown prompt, bad arguments) is passed on with its code, also
  // when it came through the MCP thread first (a ThreadError).
  const own = reason instanceof McpError || reason instanceof ThreadError ? reason.code : undefined
  const code = own !== undefined && own > -32800 ? own : undefined
  return code === undefined ? { failed } : { failed, code }
}
