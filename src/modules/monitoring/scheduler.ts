/**
 * Per-server check timers: a `setTimeout` chain per server (so checks of one server never overlap),
 * a cap on checks in flight, and a way to ask for an early check (after registration or an update).
 */
export type Scheduler = ReturnType<typeof createScheduler>

export function createScheduler({
  run,
  concurrency,
}: {
  /** Checks the server; resolves to the ms until its next check, or null when it is gone. */
  run: (id: string) => Promise<number | null>
  concurrency: number
}) {
  const timers = new Map<string, Timer>()
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
    timers.delete(id)
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
    clearTimeout(timers.get(id))
    timers.set(
      id,
      setTimeout(() => void fire(id), delayMs),
    )
  }

  return {
    schedule,
    unschedule(id: string) {
      clearTimeout(timers.get(id))
      timers.delete(id)
      rerun.delete(id)
    },
    stop() {
      stopped = true
      for (const t of timers.values()) clearTimeout(t)
      timers.clear()
      for (const resolve of waiting.splice(0)) resolve()
    },
  }
}
