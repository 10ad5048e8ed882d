import type { Logger } from '../../shared/logger'
import { MINUTE } from '../../shared/time'
import type { HistoryRepository } from './history.repository'
import type { MonitorSettings } from './types'

const firstRunAfterMs = MINUTE
const runEveryMs = 10 * MINUTE

/** The retention job: deletes what is older than each kind of history is kept, a minute after start, then every 10 minutes. */
export function createRetention({
  history,
  settings,
  pruneAlso,
  logger,
  now,
}: {
  history: Pick<HistoryRepository, 'prune'>
  settings: Pick<MonitorSettings, 'retainRawMs' | 'retainHourlyMs' | 'retainDailyMs'>
  /** Other history kept as long as the daily rollups (tool calls): rows older than `before` go. */
  pruneAlso: (before: number) => number
  logger: Logger
  now: () => number
}) {
  let timer: Timer | undefined
  let stopped = false

  async function prune(): Promise<number> {
    const t = now()
    return (
      (await history.prune({
        raw: t - settings.retainRawMs,
        hourly: t - settings.retainHourlyMs,
        daily: t - settings.retainDailyMs,
      })) + pruneAlso(t - settings.retainDailyMs)
    )
  }

  async function pruneAndRepeat() {
    try {
      const deleted = await prune()
      if (deleted > 0) logger.info('retention', { deleted })
    } catch (e) {
      logger.error('retention failed', { error: String(e) })
    }
    if (!stopped) timer = setTimeout(pruneAndRepeat, runEveryMs)
  }

  return {
    /** Runs the job now. */
    prune,
    start() {
      timer = setTimeout(pruneAndRepeat, firstRunAfterMs)
    },
    stop() {
      stopped = true
      clearTimeout(timer)
    },
  }
}
