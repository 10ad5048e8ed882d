import type { Db } from '../../db/client'
import type { ServerStatus } from '../../shared/domain'
import { createHistoryReader } from './history.reader'
import { pruneHistory } from './history.retention'
import { createHistoryWriter } from './history.writer'
import type { ProbeOutcome } from './probe'

export type { WindowStats } from './stats'

/** One finished check and what it did to its server, as the recorder writes them. */
export type CheckResult = {
  serverId: string
  /** The server's generation when the check began: the result belongs to that registration only. */
  generation: number
  checkedAt: number
  outcome: ProbeOutcome
  status: ServerStatus
  reason: string | null
}

export type HistoryRepository = ReturnType<typeof createHistoryRepository>

/**
 * Check history, SQL only: batched writes with their rollups (history.writer.ts), paging, window
 * statistics and uptime (history.reader.ts), retention (history.retention.ts). The maths is in stats.ts.
 */
export function createHistoryRepository(db: Db) {
  return {
    ...createHistoryWriter(db),
    ...createHistoryReader(db),
    prune: (cutoffs: { raw: number; hourly: number; daily: number }, step?: number) =>
      pruneHistory(db, cutoffs, step),
  }
}
