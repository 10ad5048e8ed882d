import type { ServerRow } from '../../db/schema'
import type { ServerStatus } from '../../shared/domain'
import type { Logger } from '../../shared/logger'
import type { ServerRepository } from '../servers/repository'
import type { CheckResult, HistoryRepository } from './history.repository'
import type { ProbeOutcome, Prober } from './probe'
import type { McpSessions } from './probe/mcp'
import { createScheduler } from './scheduler'
import { nextStatus, type Streak } from './status'

export type MonitorSettings = {
  checkIntervalS: number
  checkTimeoutMs: number
  checkConcurrency: number
  failureThreshold: number
  successThreshold: number
  retainRawMs: number
  retainHourlyMs: number
  retainDailyMs: number
}

export type CheckReport = {
  serverId: string
  outcome: ProbeOutcome
  status: ServerStatus
  reason: string | null
}

const flushEveryMs = 100
// A transaction of this many checks holds the event loop for a few ms; larger backlogs are written in
// several, with API requests served in between.
const flushChunk = 10
const pruneEveryMs = 10 * 60_000
const retryAfterFailureMs = 5_000
// The first checks after start are spread over this long so they do not all begin in the same instant.
const firstSweepSpreadMs = 500

export type Monitor = ReturnType<typeof createMonitor>

/**
 * The health-check worker: schedules every server, probes it, applies flap control, and records results
 * in batches. `onChecked` hears about every recorded check (for live events).
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
}: {
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
}) {
  // Flap control of each server's current registration: a streak or a pending result of an earlier
  // generation (before the url, transport or headers changed) is ignored, never carried over.
  const streaks = new Map<string, Streak & { generation: number }>()
  // Each server's latest result not yet written: flap control reads its status rather than the row's.
  const pendingState = new Map<string, CheckResult>()
  const pending: CheckResult[] = []
  const changed = new Set<string>()
  let flushTimer: Timer | undefined
  let pruneTimer: Timer | undefined
  const lastCheckedAt = new Map<string, number>()
  const stopping = new AbortController()
  let started = false

  const intervalMs = (row: ServerRow) => (row.intervalS ?? settings.checkIntervalS) * 1000
  const jitter = (ms: number) => Math.round(ms * (0.9 + Math.random() * 0.2))

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
          checkedAt: r.checkedAt,
          transport: r.outcome.transport,
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

  function flushAll() {
    while (pending.length > 0) flush()
  }

  /** Probes one server now and queues the result; the same path for the worker and for `/test`. */
  async function check(row: ServerRow): Promise<CheckReport> {
    const started = performance.now()
    const outcome = await prober({
      id: row.id,
      url: row.url,
      transport: row.transport,
      activeTransport: row.activeTransport,
      headers: repo.headersOf(row),
      timeoutMs: row.timeoutMs ?? settings.checkTimeoutMs,
      signal: stopping.signal,
    })
    if (stopping.signal.aborted)
      return { serverId: row.id, outcome, status: row.status, reason: row.statusReason }
    observe(outcome, (performance.now() - started) / 1000)
    const fresh = repo.get(row.id)
    // Deleted, registered again or pointed elsewhere while being checked: the outcome is about an
    // endpoint the server no longer has, and must touch neither its row nor its flap control.
    if (fresh?.generation !== row.generation)
      return {
        serverId: row.id,
        outcome,
        status: fresh?.status ?? 'unknown',
        reason: fresh?.statusReason ?? null,
      }
    return apply(fresh, outcome)
  }

  /** Flap control on a fresh outcome of the server's current endpoint; queues the result for writing. */
  function apply(row: ServerRow, outcome: ProbeOutcome): CheckReport {
    // Clock per server kept strictly increasing: (server, time) identifies a check.
    const at = Math.max(now(), (lastCheckedAt.get(row.id) ?? 0) + 1)
    lastCheckedAt.set(row.id, at)
    const pendingNow = pendingState.get(row.id)
    const current =
      pendingNow?.generation === row.generation
        ? pendingNow
        : { status: row.status, reason: row.statusReason }
    const streak = streaks.get(row.id)
    const fresh = { failures: 0, successes: 0 }
    const next = nextStatus(current, streak?.generation === row.generation ? streak : fresh, outcome, {
      failure: row.failureThreshold ?? settings.failureThreshold,
      success: row.successThreshold ?? settings.successThreshold,
    })
    streaks.set(row.id, { ...next.streak, generation: row.generation })
    const result = {
      serverId: row.id,
      generation: row.generation,
      checkedAt: at,
      outcome,
      status: next.status,
      reason: next.reason,
    }
    pendingState.set(row.id, result)
    if (next.status !== current.status) changed.add(row.id)
    pending.push(result)
    flushTimer ??= setTimeout(flush, flushEveryMs)
    return { serverId: row.id, outcome, status: next.status, reason: next.reason }
  }

  async function forget(id: string) {
    scheduler.unschedule(id)
    streaks.delete(id)
    pendingState.delete(id)
    lastCheckedAt.delete(id)
    await sessions.close(id)
  }

  const scheduler = createScheduler({
    concurrency: settings.checkConcurrency,
    run: async (id) => {
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
      const retrySoon = report.outcome.status === 'unhealthy' && report.status !== 'unhealthy'
      return jitter(retrySoon ? Math.min(retryAfterFailureMs, intervalMs(row)) : intervalMs(row))
    },
  })

  /** The retention job: deletes what is older than each kind of history is kept. */
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
    if (!stopping.signal.aborted) pruneTimer = setTimeout(pruneAndRepeat, pruneEveryMs)
  }

  return {
    /** Schedules every server (the first sweep spread over half a second) and the retention job. */
    start() {
      started = true
      for (const row of repo.list())
        scheduler.schedule(row.id, Math.floor(Math.random() * firstSweepSpreadMs))
      pruneTimer = setTimeout(pruneAndRepeat, 60_000)
    },

    /** Runs a check right away, waits for it to be written, and reports it. */
    async test(row: ServerRow): Promise<CheckReport> {
      const report = await check(row)
      flushAll()
      return report
    },

    /**
     * A server was registered or changed: check it within 250 ms. Flap control starts afresh when its
     * endpoint changed (a new generation); a rename keeps its streak and its pending result.
     */
    changed(id: string) {
      if (started) scheduler.schedule(id, Math.floor(Math.random() * 250))
    },

    /** Runs the retention job now (it also runs a minute after start, then every 10 minutes). */
    prune,

    removed: (id: string) => forget(id),

    async stop() {
      if (stopping.signal.aborted) return
      stopping.abort()
      scheduler.stop()
      clearTimeout(pruneTimer)
      flushAll()
      await sessions.closeAll()
    },
  }
}
