import type { Db } from '../../db/client'
import type { AppMetrics } from '../../shared/metrics'
import type { ServerService } from '../servers/service'
import type { ToolCallLog } from '../tools/call-log'
import { monitoringController } from '.'
import { createHistoryRepository } from './history.repository'
import { createMonitor } from './monitor'
import { createMonitoringService } from './service'

type MonitorDeps = Parameters<typeof createMonitor>[0]

/**
 * Checks on a schedule with flap control, their history and statistics, and `/servers/{id}/test`,
 * `/history`, `/stats`. The worker runs once `start()` is called (by main, or a test that wants it).
 */
export function createMonitoringModule({
  db,
  metrics,
  servers,
  toolCalls,
  ...deps
}: Omit<MonitorDeps, 'history' | 'observe' | 'pruneAlso'> & {
  db: Db
  metrics: AppMetrics
  servers: ServerService
  toolCalls: Pick<ToolCallLog, 'counts' | 'prune'>
}) {
  const history = createHistoryRepository(db)
  const monitor = createMonitor({
    ...deps,
    history,
    pruneAlso: toolCalls.prune,
    observe: (outcome, seconds) => {
      metrics.checks.inc({ status: outcome.status, reason: outcome.reason ?? '' })
      metrics.checkDuration.observe(seconds)
    },
  })
  const service = createMonitoringService({
    servers,
    history,
    toolCalls,
    monitor,
    settings: deps.settings,
    now: deps.now,
  })
  return {
    history,
    monitor,
    service,
    controller: monitoringController(service),
    start: () => monitor.start(),
    stop: () => monitor.stop(),
  }
}
