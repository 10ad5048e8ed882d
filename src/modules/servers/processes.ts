import type { Logger } from '../../shared/logger'
import type { AppMetrics } from '../../shared/metrics'
import type { ProcessEvent } from '../mcp'
import type { ServerInfo } from './model'
import type { ServerService } from './service'

/**
 * What the API thread does when the MCP thread says a stdio server's child started or ended: one line in
 * AutoMCP's log (never the child's output, args or env), the server's stored `process`, an event for
 * `/events`, a check soon after a crash or a restart so the status says so, and the metrics.
 */
export function createProcessTracker({
  service,
  logger,
  metrics,
  publish,
  recheck,
}: {
  service: Pick<ServerService, 'processChanged'>
  logger: Logger
  metrics: AppMetrics
  publish: (server: ServerInfo) => void
  recheck: (id: string) => void
}) {
  let running = 0
  metrics.registry.gauge('automcp_stdio_running', 'Children of stdio servers running now', () => [
    [{}, running],
  ])
  const exits = metrics.registry.counter(
    'automcp_stdio_exits_total',
    'Children of stdio servers that ended, by reason: process_exited, crash_loop, or stopped (by AutoMCP)',
  )

  return function processChanged(event: ProcessEvent) {
    if (event.type === 'started') {
      running++
      logger.info('stdio server started', {
        server: event.serverId,
        pid: event.pid,
        restarts: event.restarts,
      })
    } else {
      running--
      exits.inc({ reason: event.crash?.reason ?? 'stopped' })
      logger[event.crash ? 'warn' : 'info']('stdio server exited', {
        server: event.serverId,
        pid: event.pid,
        code: event.exit.code,
        signal: event.exit.signal,
        ...(event.crash ? { reason: event.crash.reason, restart_in_ms: event.crash.restartInMs } : {}),
      })
    }
    const server = service.processChanged(event)
    if (!server) return
    publish(server)
    if ((event.type === 'exited' && event.crash) || (event.type === 'started' && event.restarts > 0))
      recheck(server.id)
  }
}
