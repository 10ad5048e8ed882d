import type { Db } from '../../db/client'
import { createHistoryReader } from './history.reader'
import { pruneHistory } from './history.retention'
import { createHistoryWriter } from './history.writer'

export type { WindowStats } from './stats'
export type { CheckResult } from './types'

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
