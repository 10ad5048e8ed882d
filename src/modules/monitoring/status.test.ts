import { describe, expect, test } from 'bun:test'
import type { ServerStatus } from '../../shared/domain'
import type { ProbeOutcome } from '../mcp'
import { isUp, nextStatus, type Streak } from './status'

const ok: ProbeOutcome = { status: 'healthy', reason: null, latencyMs: 12, error: null }
const slow: ProbeOutcome = { status: 'degraded', reason: 'slow', latencyMs: 4_000, error: null }
const timeout: ProbeOutcome = { status: 'unhealthy', reason: 'timeout', latencyMs: null, error: 'timed out' }
const thresholds = { failure: 3, success: 2 }

/** Runs outcomes through flap control from a starting status, returning the status after each. */
function run(start: ServerStatus, outcomes: ProbeOutcome[], t = thresholds) {
  let current: { status: ServerStatus; reason: string | null } = { status: start, reason: null }
  let streak: Streak = { failures: 0, successes: 0 }
  return outcomes.map((o) => {
    const next = nextStatus(current, streak, o, t)
    current = next
    streak = next.streak
    return `${next.status}${next.reason ? `:${next.reason}` : ''}`
  })
}

describe('flap control', () => {
  test('a healthy server turns unhealthy only at the failure threshold', () => {
    expect(run('healthy', [timeout, timeout, timeout, timeout])).toEqual([
      'healthy',
      'healthy',
      'unhealthy:timeout',
      'unhealthy:timeout',
    ])
  })

  test('a good check in between starts the failure count again', () => {
    expect(run('healthy', [timeout, timeout, ok, timeout, timeout])).toEqual([
      'healthy',
      'healthy',
      'healthy',
      'healthy',
      'healthy',
    ])
  })

  test('an unhealthy server recovers only after the success threshold of good checks in a row', () => {
    expect(run('unhealthy', [ok, timeout, ok, ok])).toEqual([
      'unhealthy',
      'unhealthy',
      'unhealthy',
      'healthy',
    ])
    // A slow answer counts as good for recovery and lands on degraded.
    expect(run('unhealthy', [ok, slow])).toEqual(['unhealthy', 'degraded:slow'])
  })

  test('a server never seen working shows why its checks fail before the threshold is reached', () => {
    expect(run('unknown', [timeout, timeout, timeout])).toEqual([
      'unknown:timeout',
      'unknown:timeout',
      'unhealthy:timeout',
    ])
  })

  test('an answer that is not unhealthy applies at once, outside recovery', () => {
    expect(run('healthy', [slow, ok])).toEqual(['degraded:slow', 'healthy'])
    expect(run('unknown', [ok])).toEqual(['healthy'])
  })

  test('thresholds of 1 follow every check', () => {
    expect(run('healthy', [timeout, ok, timeout], { failure: 1, success: 1 })).toEqual([
      'unhealthy:timeout',
      'healthy',
      'unhealthy:timeout',
    ])
  })

  test('the streak counts failures and successes apart', () => {
    const after = nextStatus(
      { status: 'healthy', reason: null },
      { failures: 2, successes: 5 },
      timeout,
      thresholds,
    )
    expect(after.streak).toEqual({ failures: 3, successes: 0 })
    const back = nextStatus(after, after.streak, ok, thresholds)
    expect(back.streak).toEqual({ failures: 0, successes: 1 })
  })
})

test('uptime counts every answer, even a slow or degraded one, as up', () => {
  expect(isUp('healthy')).toBe(true)
  expect(isUp('degraded')).toBe(true)
  expect(isUp('unhealthy')).toBe(false)
})
