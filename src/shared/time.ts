// Durations in milliseconds, the unit of every clock in the code and every time in the database; the API
// speaks seconds (as the seed API did), converted here.

export const SECOND = 1_000
export const MINUTE = 60 * SECOND
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR

/** Milliseconds (a duration or an epoch time) to seconds, fraction kept: what the API answers. */
export const msToSeconds = (ms: number) => ms / SECOND

/** Like `msToSeconds`, for times that may be absent (a server never checked). */
export const msToSecondsOrNull = (ms: number | null) => (ms === null ? null : msToSeconds(ms))

/** Seconds (a setting or a query's epoch seconds) to milliseconds. */
export const secondsToMs = (s: number) => s * SECOND

/** Whole seconds to wait (Retry-After): rounded up, so a client that waits that long is not early. */
export const ceilSeconds = (ms: number) => Math.ceil(ms / SECOND)

/** A measured duration for logs and the API: ms to two decimals (10 µs), as precise as it is meaningful. */
export const roundMs = (ms: number) => Math.round(ms * 100) / 100

/** The start of the period of `size` ms (an hour, a day, in UTC) that holds the epoch time `t`. */
export const periodStart = (t: number, size: number) => t - (t % size)

/** Timers as a dependency, so logic that waits can be tested with a fake clock (fake-clock.ts). */
export type Timers = { set: (fn: () => void, ms: number) => unknown; clear: (handle: unknown) => void }
export const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as Timer | undefined),
}
