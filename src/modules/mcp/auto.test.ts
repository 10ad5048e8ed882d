import { describe, expect, test } from 'bun:test'
import { type Attempt, candidates, isMismatch, moreTelling, settle } from './auto'
import { failed, type ProbeOutcome } from './outcome'

const healthy: ProbeOutcome = { status: 'healthy', reason: null, latencyMs: 1, error: null }
const refused = failed('connection_refused', 'refused')
const notMcp = failed('protocol_error', 'not JSON-RPC')
const notFound = failed('http_404', 'HTTP 404')

describe('candidates', () => {
  test('a fixed transport is the only one tried', () => {
    expect(candidates('sse')).toEqual(['sse'])
    expect(candidates('http', 'sse')).toEqual(['http'])
  })

  test('auto tries streamable HTTP, SSE, then the plain check; the last one that answered goes first', () => {
    expect(candidates('auto')).toEqual(['streamable-http', 'sse', 'http'])
    expect(candidates('auto', null)).toEqual(['streamable-http', 'sse', 'http'])
    expect(candidates('auto', 'sse')).toEqual(['sse', 'streamable-http', 'http'])
    expect(candidates('auto', 'http')).toEqual(['http', 'streamable-http', 'sse'])
  })
})

describe('isMismatch', () => {
  test('a protocol error or an HTTP status other than 401/403 means "wrong transport"', () => {
    expect(isMismatch(notMcp)).toBe(true)
    expect(isMismatch(notFound)).toBe(true)
    expect(isMismatch(failed('http_405', 'HTTP 405'))).toBe(true)
  })

  test('auth, network failures and success are answers', () => {
    expect(isMismatch(failed('http_401', 'HTTP 401', 'degraded'))).toBe(false)
    expect(isMismatch(failed('http_403', 'HTTP 403', 'degraded'))).toBe(false)
    expect(isMismatch(refused)).toBe(false)
    expect(isMismatch(failed('forbidden', 'HTTP 403'))).toBe(false)
    expect(isMismatch(healthy)).toBe(false)
  })
})

const at = (outcome: ProbeOutcome, reachedMcp = false): Attempt => ({ outcome, reachedMcp })

describe('settle', () => {
  test('a transport that worked answers, even after a mismatch', () => {
    expect(settle(at(healthy), undefined, false)).toBe(healthy)
    expect(settle(at(healthy), at(notMcp), false)).toBe(healthy)
  })

  test('a mismatch moves on to the next transport, unless the check was aborted', () => {
    expect(settle(at(notMcp), undefined, false)).toBeUndefined()
    expect(settle(at(notFound), at(notMcp), false)).toBeUndefined()
    expect(settle(at(notMcp), undefined, true)).toBe(notMcp)
  })

  test('a real failure after a mismatch reports the first mismatch', () => {
    expect(settle(at(refused), undefined, false)).toBe(refused)
    expect(settle(at(refused), at(notMcp), false)).toBe(notMcp)
  })

  test('an attempt that reached an MCP endpoint tells more than one that did not, whichever came first', () => {
    const sse500 = failed('http_500', 'HTTP 500')
    const timedOut = failed('timeout', 'check timed out')
    expect(settle(at(sse500, true), at(notFound), true)).toBe(sse500)
    expect(settle(at(timedOut, true), at(notFound), false)).toBe(timedOut)
    expect(settle(at(refused), at(sse500, true), false)).toBe(sse500)
    expect(moreTelling(at(notFound), at(sse500, true)).outcome).toBe(sse500)
    expect(moreTelling(at(sse500, true), at(notFound)).outcome).toBe(sse500)
    expect(moreTelling(at(notFound), at(notMcp)).outcome).toBe(notFound)
  })

  test("the SSRF guard's verdict is the answer, whatever came before", () => {
    const blocked = failed('blocked', 'blocked')
    expect(settle(at(blocked), at(notMcp), false)).toBe(blocked)
  })
})
