import type { ServerRow } from '../../db/schema'
import { msToSeconds } from '../../shared/time'
import type { ProbeOutcome, Prober } from '../mcp'
import type { ServerRepository } from '../servers/repository'
import type { CheckReport, MonitorSettings } from './types'

/** One check of one server: probe it, then hand a fresh outcome of its current endpoint to flap control. */
export function createChecker({
  repo,
  prober,
  settings,
  signal,
  observe,
  apply,
}: {
  repo: Pick<ServerRepository, 'get' | 'headersOf' | 'stdioOf' | 'oauthOf'>
  prober: Prober
  settings: Pick<MonitorSettings, 'checkTimeoutMs'>
  /** Aborted when the monitor stops: probes end, and their outcomes are dropped. */
  signal: AbortSignal
  observe: (outcome: ProbeOutcome, seconds: number) => void
  apply: (row: ServerRow, outcome: ProbeOutcome) => CheckReport
}) {
  /** Probes one server now and queues the result; the same path for the worker and for `/test`. */
  return async function check(row: ServerRow): Promise<CheckReport> {
    const started = performance.now()
    const outcome = await prober({
      id: row.id,
      url: row.url,
      transport: row.transport,
      activeTransport: row.activeTransport,
      headers: repo.headersOf(row),
      stdio: repo.stdioOf(row),
      oauth: repo.oauthOf(row),
      generation: row.generation,
      timeoutMs: row.timeoutMs ?? settings.checkTimeoutMs,
      signal,
    })
    if (signal.aborted) return { serverId: row.id, outcome, status: row.status, reason: row.statusReason }
    observe(outcome, msToSeconds(performance.now() - started))
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
}
