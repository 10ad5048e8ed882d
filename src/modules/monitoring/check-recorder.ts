import type { Logger } from '../../shared/logger'
import type { ServerRepository } from '../servers/repository'
import type { HistoryRepository } from './history.repository'
import { worked } from './status'
import type { CheckResult } from './types'

const flushEveryMs = 100
// A transaction of this many checks holds the event loop for a few ms; larger backlogs are written in
// several, with API requests served in between.
const flushChunk = 10

export type CheckRecorder = ReturnType<typeof createCheckRecorder>

/**
 * Writes check results in batches: a result waits at most `flushEveryMs`, and each batch is one
 * transaction storing the checks, their rollups and each server's new state.
 */
export function createCheckRecorder({
  repo,
  history,
  logger,
  onChecked,
}: {
  repo: Pick<ServerRepository, 'saveCheckState'>
  history: Pick<HistoryRepository, 'record'>
  logger: Logger
  onChecked: (ids: string[], changed: Set<string>) => void
}) {
  // Each server's latest result not yet written: flap control reads its status rather than the row's.
  const pendingState = new Map<string, CheckResult>()
  const pending: CheckResult[] = []
  const changed = new Set<string>()
  let flushTimer: Timer | undefined

  function flush() {
    clearTimeout(flushTimer)
    flushTimer = undefined
    if (pending.length === 0) return
    const batch = pending.splice(0, flushChunk)
    const batchChanged = new Set(batch.filter((r) => changed.delete(r.serverId)).map((r) => r.serverId))
    if (pending.length > 0) flushTimer = setTimeout(flush, 0)
    try {
      const written = history.record(batch, (r) =>
        repo.saveCheckState(r.serverId, {
          generation: r.generation,
          status: r.status,
          reason: r.reason,
          latencyMs: r.outcome.latencyMs,
          handshakeMs: r.outcome.handshakeMs ?? null,
          checkedAt: r.checkedAt,
          // A transport that failed (say, `auto` ending on its last try) is not the one that answers.
          transport: worked(r.outcome) ? r.outcome.transport : undefined,
          capabilities: r.outcome.capabilities,
        }),
      )
      // Only a server's latest result gives way to the row: an older one, or one dropped because the
      // server changed, must not take away the result of a check of its new endpoint.
      for (const r of batch) if (pendingState.get(r.serverId) === r) pendingState.delete(r.serverId)
      onChecked(written, batchChanged)
    } catch (e) {
      logger.error('could not record checks', { error: String(e), count: batch.length })
    }
  }

  return {
    /** Queues a result for the next batch; `statusChanged` makes it an event's `changed` server. */
    queue(result: CheckResult, statusChanged: boolean) {
      pendingState.set(result.serverId, result)
      if (statusChanged) changed.add(result.serverId)
      pending.push(result)
      flushTimer ??= setTimeout(flush, flushEveryMs)
    },

    /** The server's latest result still waiting to be written, if any. */
    pendingOf: (id: string) => pendingState.get(id),

    forget(id: string) {
      pendingState.delete(id)
    },

    /** Writes everything queued, now. */
    flushAll() {
      while (pending.length > 0) flush()
    },
  }
}
