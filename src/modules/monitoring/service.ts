import { msToSeconds, secondsToMs } from '../../shared/time'
import type { ServerService } from '../servers/service'
import type { ToolCallLog } from '../tools/call-log'
import type { HistoryRepository } from './history.repository'
import { type StatsWindow, windows } from './model'
import type { Monitor, MonitorSettings } from './monitor'
import { worked } from './status'

export type MonitoringService = ReturnType<typeof createMonitoringService>

export function createMonitoringService({
  servers,
  history,
  toolCalls,
  monitor,
  settings,
  now = Date.now,
}: {
  servers: ServerService
  history: HistoryRepository
  toolCalls: Pick<ToolCallLog, 'counts'>
  monitor: Monitor
  settings: Pick<MonitorSettings, 'retainRawMs' | 'retainHourlyMs'>
  now?: () => number
}) {
  return {
    /** Checks the server now, records it like the worker does, and answers the seed's ServerTestResult. */
    async test(id: string) {
      const { outcome, status, reason } = await monitor.test(servers.row(id))
      servers.invalidate()
      const success = worked(outcome)
      return {
        server_id: id,
        success,
        latency_ms: outcome.latencyMs ?? -1,
        error_message: outcome.error,
        capabilities: success ? (outcome.capabilities ?? {}) : null,
        status,
        status_reason: reason,
      }
    },

    history(id: string, q: { from?: number; to?: number; limit?: number; cursor?: string }) {
      servers.row(id)
      const limit = q.limit ?? 100
      const rows = history.page(id, {
        from: q.from === undefined ? undefined : Math.ceil(secondsToMs(q.from)),
        to: q.to === undefined ? undefined : Math.floor(secondsToMs(q.to)),
        before: q.cursor === undefined ? undefined : Number(q.cursor),
        limit,
      })
      return {
        data: rows.map((r) => ({
          checked_at: msToSeconds(r.checkedAt),
          status: r.status,
          reason: r.reason,
          latency_ms: r.latencyMs,
          handshake_ms: r.handshakeMs,
          error: r.error,
        })),
        next_cursor: rows.length === limit ? String(rows.at(-1)?.checkedAt) : null,
      }
    },

    stats(id: string, window: StatsWindow = '24h') {
      servers.row(id)
      const t = now()
      const calls = toolCalls.counts(id, t - windows[window])
      return {
        window,
        ...history.stats(id, windows[window], t, settings.retainRawMs, settings.retainHourlyMs),
        tool_calls: calls.calls,
        tool_errors: calls.errors,
        tool_calls_by_source: calls.bySource,
      }
    },
  }
}
