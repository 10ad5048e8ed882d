import { describe, expect, test } from 'bun:test'
import { createFakeClock } from '../../shared/fake-clock'
import type { ProbeOutcome } from '../mcp'
import { createScheduler, jitter, nextCheckDelay } from './scheduler'

/** A run that records when each id started and finishes after `takesMs`, asking for the next in `nextMs`. */
function recorder(clock: ReturnType<typeof createFakeClock>, takesMs = 0, nextMs: number | null = 1_000) {
  const started: [string, number][] = []
  let inFlight = 0
  let maxInFlight = 0
  const run = async (id: string) => {
    started.push([id, clock.now()])
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    if (takesMs > 0) await new Promise<void>((resolve) => clock.timers.set(resolve, takesMs))
    inFlight--
    return nextMs
  }
  return { run, started, maxInFlight: () => maxInFlight }
}

describe('scheduler', () => {
  test('a chain of timers per server: each check schedules the next from its own end', async () => {
    const clock = createFakeClock()
    const r = recorder(clock, 100, 1_000)
    const s = createScheduler({ run: r.run, concurrency: 10, timers: clock.timers })
    s.schedule('a', 50)
    await clock.advance(2_500)
    // Start at 50, ends at 150, next at 1150, ends 1250, next at 2250.
    expect(r.started).toEqual([
      ['a', 50],
      ['a', 1_150],
      ['a', 2_250],
    ])
    s.stop()
  })

  test('no more checks in flight than the concurrency; the others wait for a slot', async () => {
    const clock = createFakeClock()
    const r = recorder(clock, 100, null)
    const s = createScheduler({ run: r.run, concurrency: 2, timers: clock.timers })
    for (const id of ['a', 'b', 'c', 'd', 'e']) s.schedule(id, 0)
    await clock.advance(1_000)
    expect(r.maxInFlight()).toBe(2)
    expect(r.started.map(([, at]) => at)).toEqual([0, 0, 100, 100, 200])
    s.stop()
  })

  test('asking again while a check runs checks once more right after it, never overlapping', async () => {
    const clock = createFakeClock()
    const r = recorder(clock, 100, 10_000)
    const s = createScheduler({ run: r.run, concurrency: 10, timers: clock.timers })
    s.schedule('a', 0)
    await clock.advance(50)
    s.schedule('a', 0)
    s.schedule('a', 0)
    await clock.advance(500)
    expect(r.started).toEqual([
      ['a', 0],
      ['a', 100],
    ])
    expect(r.maxInFlight()).toBe(1)
    s.stop()
  })

  test('scheduling again replaces the pending timer; null, a throw or unschedule ends the chain', async () => {
    const clock = createFakeClock()
    const r = recorder(clock, 0, null)
    const s = createScheduler({ run: r.run, concurrency: 1, timers: clock.timers })
    s.schedule('a', 1_000)
    s.schedule('a', 10)
    s.schedule('b', 20)
    s.unschedule('b')
    const boom = createScheduler({
      run: async () => {
        throw new Error('boom')
      },
      concurrency: 1,
      timers: clock.timers,
    })
    boom.schedule('c', 0)
    await clock.advance(5_000)
    expect(r.started).toEqual([['a', 10]])
    expect(clock.pending()).toBe(0)
  })

  test('stop cancels every timer and nothing runs after it', async () => {
    const clock = createFakeClock()
    const r = recorder(clock, 0, 100)
    const s = createScheduler({ run: r.run, concurrency: 1, timers: clock.timers })
    s.schedule('a', 0)
    await clock.advance(250)
    s.stop()
    s.schedule('b', 0)
    await clock.advance(1_000)
    expect(r.started.map(([, at]) => at)).toEqual([0, 100, 200])
    expect(clock.pending()).toBe(0)
  })
})

describe('cadence', () => {
  test('jitter stays within ±10% of the interval and reaches both ends', () => {
    expect(jitter(30_000, () => 0)).toBe(27_000)
    expect(jitter(30_000, () => 0.5)).toBe(30_000)
    expect(jitter(30_000, () => 0.999_999)).toBe(33_000)
    for (let i = 0; i < 1_000; i++) {
      const ms = jitter(10_000)
      expect(ms).toBeGreaterThanOrEqual(9_000)
      expect(ms).toBeLessThanOrEqual(11_000)
    }
  })

  const failed: ProbeOutcome = { status: 'unhealthy', reason: 'timeout', latencyMs: null, error: 'timed out' }
  const ok: ProbeOutcome = { status: 'healthy', reason: null, latencyMs: 5, error: null }
  test('a failure flap control has not yet confirmed is checked again within 5 s', () => {
    expect(nextCheckDelay({ outcome: failed, status: 'healthy' }, 30_000)).toBe(5_000)
    expect(nextCheckDelay({ outcome: failed, status: 'unknown' }, 30_000)).toBe(5_000)
    // Never later than the server's own interval.
    expect(nextCheckDelay({ outcome: failed, status: 'healthy' }, 2_000)).toBe(2_000)
    // Confirmed unhealthy, or a good check: the interval.
    expect(nextCheckDelay({ outcome: failed, status: 'unhealthy' }, 30_000)).toBe(30_000)
    expect(nextCheckDelay({ outcome: ok, status: 'unhealthy' }, 30_000)).toBe(30_000)
  })
})
