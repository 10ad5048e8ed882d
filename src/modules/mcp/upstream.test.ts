import { describe, expect, test } from 'bun:test'
import type { AskingCall, ClientCaps } from './upstream'
import { ownCall, whoToAsk } from './upstream'

const all: ClientCaps = { sampling: true, elicitForm: true, elicitUrl: true, roots: true }
const none: ClientCaps = { sampling: false, elicitForm: false, elicitUrl: false, roots: false }
const call = (n: number, downstream: string, caps: ClientCaps = all): AskingCall => ({
  call: n,
  downstream,
  caps,
})

describe('whoToAsk', () => {
  test('the one gateway call in flight gets the request', () => {
    expect(whoToAsk([call(1, 'a')], 'sampling/createMessage', {})).toEqual(call(1, 'a'))
  })

  test('several calls from the same client: the first is asked', () => {
    expect(whoToAsk([call(1, 'a'), call(2, 'a')], 'elicitation/create', {})).toEqual(call(1, 'a'))
  })

  test('calls from two clients: refused, as the server does not say which call it asks for', () => {
    const r = whoToAsk([call(1, 'a'), call(2, 'b')], 'sampling/createMessage', {})
    expect('refused' in r && r.refused.message).toContain('several callers')
  })

  test('a client that cannot answer still counts: its call may be the one the server asks for', () => {
    // Client a's call may be what the server works on: b must not see a's data nor answer for it.
    const r = whoToAsk([call(1, 'a', none), call(2, 'b')], 'sampling/createMessage', {})
    expect('refused' in r && r.refused.message).toContain('several callers')
    const alone = whoToAsk([call(1, 'a', none)], 'sampling/createMessage', {})
    expect('refused' in alone && alone.refused.code).toBe(-32601)
  })

  test("a chat's or a direct call in flight counts as another caller", () => {
    const r = whoToAsk([call(1, 'a'), ownCall()], 'elicitation/create', {})
    expect('refused' in r).toBe(true)
    expect(whoToAsk([call(1, 'a'), ownCall()], 'roots/list', {})).toEqual({ answer: { roots: [] } })
  })

  test('URL-mode elicitation needs a client that declared it', () => {
    const formOnly = { ...all, elicitUrl: false }
    expect('refused' in whoToAsk([call(1, 'a', formOnly)], 'elicitation/create', { mode: 'url' })).toBe(true)
    expect(whoToAsk([call(1, 'a', formOnly)], 'elicitation/create', { mode: 'form' })).toEqual(
      call(1, 'a', formOnly),
    )
  })

  test('roots with nobody to ask: none, rather than an error', () => {
    expect(whoToAsk([], 'roots/list', {})).toEqual({ answer: { roots: [] } })
  })

  test('a method no client answers is refused', () => {
    expect('refused' in whoToAsk([call(1, 'a')], 'tasks/get', {})).toBe(true)
  })
})
