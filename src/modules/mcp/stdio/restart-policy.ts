import { MINUTE, SECOND } from '../../../shared/time'

/** When a stdio server's child that exited is started again, and when that counts as a crash loop. */
export const restartPolicy = {
  firstDelayMs: SECOND,
  maxDelayMs: 5 * MINUTE,
  /** A child that ran this long before exiting starts the backoff again from `firstDelayMs`. */
  resetAfterMs: 10 * MINUTE,
  /** This many exits within `loopWindowMs` is a crash loop. */
  loopExits: 5,
  loopWindowMs: 5 * MINUTE,
}

export type RestartPolicy = typeof restartPolicy

/** What the supervisor remembers of a server's exits. */
export type ExitHistory = {
  /** Exits (and failed starts) in a row, each doubling the wait before the next start. */
  failures: number
  /** When the recent exits happened (epoch ms), within the crash-loop window. */
  recent: number[]
}

export const noExits: ExitHistory = { failures: 0, recent: [] }

/**
 * After an exit at `at` of a child that started at `startedAt` (null: it never started): how long to wait
 * before starting it again (1 s, doubling, at most 5 min; from 1 s again after 10 min up), whether this is
 * a crash loop (5 exits within 5 min), and the history to keep.
 */
export function afterExit(
  history: ExitHistory,
  startedAt: number | null,
  at: number,
  policy = restartPolicy,
): { delayMs: number; crashLoop: boolean; history: ExitHistory } {
  const ranLong = startedAt !== null && at - startedAt >= policy.resetAfterMs
  const failures = ranLong ? 0 : history.failures
  const delayMs = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.min(failures, 30))
  const recent = [...history.recent.filter((t) => at - t < policy.loopWindowMs), at]
  return {
    delayMs,
    crashLoop: recent.length >= policy.loopExits,
    history: { failures: failures + 1, recent: recent.slice(-policy.loopExits) },
  }
}
