import type { Timers } from './time'

/**
 * A clock for unit tests: `now` and `timers` that only move when the test says so, so logic that waits
 * (schedulers, rate limits, retries) is tested in microseconds and without flakiness.
 */
export function createFakeClock(start = 0) {
  let now = start
  let nextId = 1
  const pending = new Map<number, { at: number; fn: () => void }>()
  // Lets promise chains started by a timer run to their next real wait before time moves on.
  const settle = () => new Promise((resolve) => setImmediate(resolve))

  const timers: Timers = {
    set(fn, ms) {
      const id = nextId++
      pending.set(id, { at: now + Math.max(0, ms), fn })
      return id
    },
    clear(handle) {
      pending.delete(handle as number)
    },
  }

  return {
    now: () => now,
    timers,
    /** Timers not yet fired. */
    pending: () => pending.size,
    /** Moves time forward by `ms`, firing every timer due on the way in order (those they set too). */
    async advance(ms: number) {
      const until = now + ms
      await settle()
      for (;;) {
        let first: [number, { at: number; fn: () => void }] | undefined
        for (const entry of pending) if (!first || entry[1].at < first[1].at) first = entry
        if (!first || first[1].at > until) break
        pending.delete(first[0])
        now = first[1].at
        first[1].fn()
        await settle()
      }
      now = until
    },
  }
}
