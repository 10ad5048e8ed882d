import { describe, expect, test } from 'bun:test'
import { createPendingAuthorizations, newState, pendingTtlMs } from './pending'

const begun = { verifier: 'v', discovery: {} }

describe('pending authorizations', () => {
  test('a state is taken once', () => {
    const pending = createPendingAuthorizations()
    pending.put('s1', { serverId: 'a', generation: 1, begun })
    expect(pending.take('s1')?.serverId).toBe('a')
    expect(pending.take('s1')).toBeUndefined()
    expect(pending.take('never-made')).toBeUndefined()
  })

  test('a state older than 10 minutes is refused', () => {
    let t = 0
    const pending = createPendingAuthorizations(() => t)
    pending.put('old', { serverId: 'a', generation: 1, begun })
    pending.put('fresh', { serverId: 'b', generation: 1, begun })
    t = pendingTtlMs + 1
    expect(pending.take('old')).toBeUndefined()
    pending.put('new', { serverId: 'c', generation: 1, begun })
    expect(pending.take('new')?.serverId).toBe('c')
  })

  test('states are 256 random bits, never the same twice', () => {
    const states = new Set(Array.from({ length: 100 }, newState))
    expect(states.size).toBe(100)
    for (const s of states) expect(s).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })
})
