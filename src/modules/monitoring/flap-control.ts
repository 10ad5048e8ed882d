import type { ServerRow } from '../../db/schema'
import type { ProbeOutcome } from '../mcp'
import type { CheckRecorder } from './check-recorder'
import { nextStatus, type Streak } from './status'
import type { CheckReport, MonitorSettings } from './types'

/**
 * Flap control across checks: each server's streak, applied (status.ts) to every fresh outcome, and a
 * per-server clock so that (server, time) identifies a check.
 */
export function createFlapControl({
  recorder,
  settings,
  now,
}: {
  recorder: CheckRecorder
  settings: Pick<MonitorSettings, 'failureThreshold' | 'successThreshold'>
  now: () => number
}) {
  // Flap control of each server's current registration: a streak or a pending result of an earlier
  // generation (before the url, transport or headers changed) is ignored, never carried over.
  const streaks = new Map<string, Streak & { generation: number }>()
  const lastCheckedAt = new Map<string, number>()

  return {
    /** Flap control on a fresh outcome of the server's current endpoint; queues the result for writing. */
    apply(row: ServerRow, outcome: ProbeOutcome): CheckReport {
      // Clock per server kept strictly increasing: (server, time) identifies a check.
      const at = Math.max(now(), (lastCheckedAt.get(row.id) ?? 0) + 1)
      lastCheckedAt.set(row.id, at)
      const pendingNow = recorder.pendingOf(row.id)
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
      recorder.queue(result, next.status !== current.status)
      return { serverId: row.id, outcome, status: next.status, reason: next.reason }
    },

    forget(id: string) {
      streaks.delete(id)
      lastCheckedAt.delete(id)
    },
  }
}
