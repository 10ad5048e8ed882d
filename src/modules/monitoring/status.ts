import type { ServerStatus } from '../../shared/domain'
import type { ProbeOutcome } from '../mcp'

export type Streak = { failures: number; successes: number }
export type Thresholds = { failure: number; success: number }

/**
 * Flap control: a server becomes unhealthy only after `failure` failed checks in a row, and an
 * unhealthy one recovers only after `success` good ones. In between it keeps its last status.
 */
export function nextStatus(
  current: { status: ServerStatus; reason: string | null },
  streak: Streak,
  outcome: ProbeOutcome,
  thresholds: Thresholds,
): { status: ServerStatus; reason: string | null; streak: Streak } {
  if (outcome.status === 'unhealthy') {
    const next = { failures: streak.failures + 1, successes: 0 }
    if (next.failures >= thresholds.failure)
      return { status: 'unhealthy', reason: outcome.reason, streak: next }
    // Not sure yet: keep the status, but a server never seen working may as well say what went wrong.
    return {
      status: current.status,
      reason: current.status === 'unknown' ? outcome.reason : current.reason,
      streak: next,
    }
  }
  const next = { failures: 0, successes: streak.successes + 1 }
  if (current.status === 'unhealthy' && next.successes < thresholds.success)
    return { ...current, streak: next }
  return { status: outcome.status, reason: outcome.reason, streak: next }
}

/**
 * Whether the check's transport worked: an MCP handshake and `ping`, or the plain check's 200 (slowly or
 * not). Only such a check makes its transport the server's `active_transport`.
 */
export const worked = (o: ProbeOutcome) => o.status === 'healthy' || o.reason === 'slow'

/** Whether a check counts as "up" for uptime: the server answered, even if slowly or asking for auth. */
export const isUp = (status: ProbeOutcome['status']) => status !== 'unhealthy'
