import { describe, expect, test } from 'bun:test'
import { MINUTE, SECOND } from '../../../shared/time'
import { afterExit, type ExitHistory, noExits } from './restart-policy'

/** Exits of a child that each ran `ranMs`, starting at `t0`: the delays and crash-loop verdicts in turn. */
function exits(count: number, ranMs: number, t0 = 0) {
  let history: ExitHistory = noExits
  let t = t0
  const out: { delayMs: number; crashLoop: boolean }[] = []
  for (let i = 0; i < count; i++) {
    const startedAt = t
    t += ranMs
    const next = afterExit(history, startedAt, t)
    history = next.history
    out.push({ delayMs: next.delayMs, crashLoop: next.crashLoop })
    t += next.delayMs
  }
  return out
}

describe('restart policy', () => {
  test('waits 1 s, doubling, up to 5 minutes', () => {
    const delays = exits(12, 10).map((e) => e.delayMs)
    expect(delays.slice(0, 5)).toEqual([1, 2, 4, 8, 16].map((s) => s * SECOND))
    expect(delays.at(-1)).toBe(5 * MINUTE)
    expect(Math.max(...delays)).toBe(5 * MINUTE)
  })

  test('five exits within five minutes is a crash loop; the fifth is the first to say so', () => {
    const verdicts = exits(6, 10).map((e) => e.crashLoop)
    expect(verdicts).toEqual([false, false, false, false, true, true])
  })

  test('exits far apart are no crash loop', () => {
    // Each ran 2 minutes: five exits span more than five minutes.
    expect(exits(8, 2 * MINUTE).some((e) => e.crashLoop)).toBe(false)
  })

  test('a child that ran 10 minutes starts the backoff again from 1 s', () => {
    let { history } = afterExit(noExits, 0, 10)
    for (let i = 0; i < 5; i++) history = afterExit(history, 0, 10).history
    expect(afterExit(history, 0, 10).delayMs).toBe(64 * SECOND)
    expect(afterExit(history, 0, 10 * MINUTE).delayMs).toBe(SECOND)
  })

  test('a start that failed (never ran) counts like an exit', () => {
    const first = afterExit(noExits, null, 1_000)
    expect(first.delayMs).toBe(SECOND)
    expect(afterExit(first.history, null, 2_000).delayMs).toBe(2 * SECOND)
  })
})
