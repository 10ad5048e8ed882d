import { realTimers, SECOND, type Timers } from '../../shared/time'
import type { CheckReport } from './types'

// A failed check that did not yet make the server unhealthy is retried this soon, to settle it quickly.
const retryAfterFailureMs = 5 * SECOND

/** A delay varied by ±10%, so servers registered together drift apart instead of being checked in step. */
export const jitter = (ms: number, random: () => number = Math.random) =>
  Math.round(ms * (0.9 + random() * 0.2))

/** Until the next check: the interval, or sooner while flap control is still deciding about a failure. */
export function nextCheckDelay(report: Pick<CheckReport, 'outcome' | 'status'>, intervalMs: number): number {
  const retrySoon = report.outcome.status === 'unhealthy' && report.status !== 'unhealthy'
  return retrySoon ? Math.min(retryAfterFailureMs, intervalMs) : intervalMs
}

/**
 * Per-server check timers: a `setTimeout` chain per server (so checks of one server never overlap),
 * a cap on checks in flight, and a way to ask for an early check (after registration or an update).
 */
export type Scheduler = ReturnType<typeof createScheduler>

export function createScheduler({
  run,
  concurrency,
  timers = realTimers,
}: {
  /** Checks the server; resolves to the ms until its next check, or null when it is gone. */
  run: (id: string) => Promise<number | null>
  concurrency: number
  timers?: Timers
}) {
  const due = new Map<string, unknown>()
  const running = new Set<string>()
  const rerun = new Set<string>()
  const waiting: (() => void)[] = []
  let active = 0
  let stopped = false

  const slot = async () => {
    if (active < concurrency) {
      active++
      return
    }
    await new Promise<void>((resolve) => waiting.push(resolve))
  }
  const release = () => {
    const next = waiting.shift()
    if (next) next()
    else active--
  }

  async function fire(id: string) {
    due.delete(id)
    running.add(id)
    let next: number | null = null
    try {
      await slot()
      try {
        if (!stopped) next = await run(id)
      } finally {
        release()
      }
    } catch {
      next = null
    } finally {
      running.delete(id)
    }
    if (stopped) return
    if (rerun.delete(id)) schedule(id, 0)
    else if (next !== null) schedule(id, next)
  }

  function schedule(id: string, delayMs: number) {
    if (stopped) return
    if (running.has(id)) {
      rerun.add(id) // checked again as soon as the current check ends
      return
    }
    timers.clear(due.get(id))
    due.set(
      id,
      timers.set(() => void fire(id), delayMs),
    )
  }

  return {
    schedule,
    unschedule(id: string) {
      timers.clear(due.get(id))
      due.delete(id)
      rerun.delete(id)
    },
    stop() {
      stopped = true
      for (const t of due.values()) timers.clear(t)
      due.clear()
      for (const resolve of waiting.splice(0)) resolve()
    },
  }
}
