import type { ServerRow } from '../../db/schema'
import type { Logger } from '../../shared/logger'
import { secondsToMs } from '../../shared/time'
import type { McpSessions, ProbeOutcome, Prober } from '../mcp'
import type { ServerRepository } from '../servers/repository'
import { createCheckRecorder } from './check-recorder'
import { createChecker } from './checker'
import { createFlapControl } from './flap-control'
import type { HistoryRepository } from './history.repository'
import { createRetention } from './retention'
import { createScheduler, jitter, nextCheckDelay } from './scheduler'
import type { CheckReport, MonitorSettings } from './types'

export type { CheckReport, MonitorSettings } from './types'

// The first checks after start are spread over this long so they do not all begin in the same instant.
const firstSweepSpreadMs = 500
// A registered or changed server is checked within this long.
const changedSpreadMs = 250

export type Monitor = ReturnType<typeof createMonitor>

export type MonitorDeps = {
  repo: ServerRepository
  history: HistoryRepository
  prober: Prober
  sessions: Pick<McpSessions, 'close' | 'closeAll'>
  settings: MonitorSettings
  logger: Logger
  onChecked?: (ids: string[], changed: Set<string>) => void
  /** Every check as it completes, with its duration in seconds (for /metrics). */
  observe?: (outcome: ProbeOutcome, seconds: number) => void
  /** Other history kept as long as the daily rollups (tool calls): rows older than `before` go. */
  pruneAlso?: (before: number) => number
  now?: () => number
}

/**
 * The health-check worker: schedules every server (scheduler.ts), probes it (checker.ts), applies flap
 * control (flap-control.ts), records results in batches (check-recorder.ts) and prunes old history
 * (retention.ts). `onChecked` hears about every recorded check (for live events).
 */
export function createMonitor({
  repo,
  history,
  prober,
  sessions,
  settings,
  logger,
  onChecked = () => {},
  observe = () => {},
  pruneAlso = () => 0,
  now = Date.now,
}: MonitorDeps) {
  const stopping = new AbortController()
  let started = false
  const recorder = createCheckRecorder({ repo, history, logger, onChecked })
  const flap = createFlapControl({ recorder, settings, now })
  const check = createChecker({ repo, prober, settings, signal: stopping.signal, observe, apply: flap.apply })
  const retention = createRetention({ history, settings, pruneAlso, logger, now })
  const intervalMs = (row: ServerRow) => secondsToMs(row.intervalS ?? settings.checkIntervalS)

  async function forget(id: string) {
    scheduler.unschedule(id)
    flap.forget(id)
    recorder.forget(id)
    await sessions.close(id)
  }

  /** The scheduler's job for one server: check it, and say when to check it next (null: it is gone). */
  async function checkAndReschedule(id: string): Promise<number | null> {
    const row = repo.get(id)
    if (!row) {
      await forget(id)
      return null
    }
    let report: CheckReport
    try {
      report = await check(row)
    } catch (e) {
      if (stopping.signal.aborted) return null
      logger.error('check failed', { server: id, error: String(e) })
      return jitter(intervalMs(row))
    }
    if (stopping.signal.aborted) return null
    // Deleted while being checked: drop the session it may have opened.
    if (!repo.get(id)) {
      await forget(id)
      return null
    }
    return jitter(nextCheckDelay(report, intervalMs(row)))
  }

  const scheduler = createScheduler({ concurrency: settings.checkConcurrency, run: checkAndReschedule })

  return {
    /** Schedules every server (the first sweep spread over half a second) and the retention job. */
    start() {
      started = true
      for (const row of repo.list())
        scheduler.schedule(row.id, Math.floor(Math.random() * firstSweepSpreadMs))
      retention.start()
    },

    /** Runs a check right away, waits for it to be written, and reports it. */
    async test(row: ServerRow): Promise<CheckReport> {
      const report = await check(row)
      recorder.flushAll()
      return report
    },

    /**
     * A server was registered or changed: check it within 250 ms. Flap control starts afresh when its
     * endpoint changed (a new generation); a rename keeps its streak and its pending result.
     */
    changed(id: string) {
      if (started) scheduler.schedule(id, Math.floor(Math.random() * changedSpreadMs))
    },

    /** Runs the retention job now (it also runs a minute after start, then every 10 minutes). */
    prune: retention.prune,

    removed: (id: string) => forget(id),

    async stop() {
      if (stopping.signal.aborted) return
      stopping.abort()
      scheduler.stop()
      retention.stop()
      recorder.flushAll()
      await sessions.closeAll()
    },
  }
}
