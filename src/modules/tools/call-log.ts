import type { Logger } from '../../shared/logger'
import type { ToolCallRecord, ToolCallRepository } from './repository'

/** How long a call's record waits for others to share its transaction. */
const flushEveryMs = 100

export type ToolCallLog = ReturnType<typeof createToolCallLog>

/**
 * The record of every tool call, written in batches as checks are: a call's row waits at most
 * `flushEveryMs`, and the calls made meanwhile share one transaction. A commit of its own was the
 * largest part of AutoMCP's work for a gateway call (bench:gateway). A crash loses at most the calls
 * of that last interval, never their results; whatever reads the calls reads them all, the waiting
 * ones written first.
 */
export function createToolCallLog(calls: ToolCallRepository, logger: Logger) {
  const pending: ToolCallRecord[] = []
  let timer: ReturnType<typeof setTimeout> | undefined

  function flush() {
    clearTimeout(timer)
    timer = undefined
    if (pending.length === 0) return
    const batch = pending.splice(0)
    try {
      const refused = calls.recordAll(batch)
      // A call's server was removed meanwhile: its history went with it.
      if (refused > 0) logger.warn('tool calls not recorded: their server was removed', { count: refused })
    } catch (e) {
      logger.error('could not record tool calls', { error: String(e), count: batch.length })
    }
  }

  return {
    record(call: ToolCallRecord) {
      pending.push(call)
      timer ??= setTimeout(flush, flushEveryMs)
    },
    /** Writes the waiting calls now (on reads, and when AutoMCP stops). */
    flush,
    counts(...args: Parameters<ToolCallRepository['counts']>) {
      flush()
      return calls.counts(...args)
    },
    prune(before: number) {
      flush()
      return calls.prune(before)
    },
  }
}
