import { describe, expect, test } from 'bun:test'
import { createFakeClock } from './fake-clock'
import { createRateLimiter } from './rate-limit'

describe('rate limiter', () => {
  test('a burst of up to perMinute, then a wait of one token', () => {
    const clock = createFakeClock(1_000)
    const limit = createRateLimiter(60, clock.now)
    for (let i = 0; i < 60; i++) expect(limit.take('a')).toBe(0)
    // 60 a minute: one token a second.
    expect(limit.take('a')).toBe(1_000)
    // A refused request costs nothing: the wait does not grow.
    expect(limit.take('a')).toBe(1_000)
  })

  test('tokens refill with time, never above the burst', async () => {
    const clock = createFakeClock()
    const limit = createRateLimiter(60, clock.now)
    for (let i = 0; i < 60; i++) limit.take('a')
    await clock.advance(400)
    expect(limit.take('a')).toBe(600)
    await clock.advance(600)
    expect(limit.take('a')).toBe(0)
    expect(limit.take('a')).toBe(1_000)
    // A long pause refills the bucket only up to its size.
    await clock.advance(10 * 60_000)
    for (let i = 0; i < 60; i++) expect(limit.take('a')).toBe(0)
    expect(limit.take('a')).toBeGreaterThan(0)
  })

  test('clients have buckets of their own', () => {
    const clock = createFakeClock()
    const limit = createRateLimiter(2, clock.now)
    expect([limit.take('a'), limit.take('a'), limit.take('a')]).toEqual([0, 0, 30_000])
    expect(limit.take('b')).toBe(0)
  })

  test('wait answers like take without counting', () => {
    const clock = createFakeClock()
    const limit = createRateLimiter(1, clock.now)
    expect(limit.wait('a')).toBe(0)
    expect(limit.wait('a')).toBe(0)
    expect(limit.take('a')).toBe(0)
    expect(limit.wait('a')).toBe(60_000)
    expect(limit.take('a')).toBe(60_000)
  })

  test('0 turns it off', () => {
    const limit = createRateLimiter(0, () => 0)
    for (let i = 0; i < 1_000; i++) expect(limit.take('a')).toBe(0)
    expect(limit.wait('a')).toBe(0)
  })

  test('at maxClients, refilled buckets go first, then the longest-known, but never the limits of the active', async () => {
    const clock = createFakeClock()
    const limit = createRateLimiter(1, clock.now, 3)
    limit.take('old')
    await clock.advance(60_000) // 'old' has refilled: it carries no state any more
    limit.take('a')
    limit.take('b')
    limit.take('c') // a fourth client: 'old' is forgotten, 'a' and 'b' keep their empty buckets
    expect(limit.wait('a')).toBeGreaterThan(0)
    expect(limit.wait('b')).toBeGreaterThan(0)
    expect(limit.wait('old')).toBe(0)
    limit.take('d') // none has refilled: the longest-known ('a') goes
    expect(limit.wait('a')).toBe(0)
    expect(limit.wait('b')).toBeGreaterThan(0)
    expect(limit.wait('d')).toBeGreaterThan(0)
  })
})
