import { expect, test } from 'bun:test'
import { createApprovals } from './approvals'

test("a waiting call is settled by the client's verdict, and only once", async () => {
  const approvals = createApprovals(60_000)
  const signal = new AbortController().signal
  const approved = approvals.wait(1, 'a', signal)
  const denied = approvals.wait('1', 'a', signal) // another chat: ids 1 and "1" differ
  expect(approvals.settle(1, 'a', true)).toBe(true)
  expect(approvals.settle('1', 'a', false)).toBe(true)
  expect(approvals.settle(1, 'a', true)).toBe(false)
  expect(await approved).toEqual({ approved: true })
  expect(await denied).toEqual({ approved: false, reason: 'The user denied this call' })
})

test('a call is refused at the timeout, or when its chat ends', async () => {
  const late = await createApprovals(5).wait(1, 'a', new AbortController().signal)
  expect(late).toEqual({ approved: false, reason: 'No approval within 5 ms' })
  const cancelled = new AbortController()
  const waiting = createApprovals(2000).wait(1, 'a', cancelled.signal)
  cancelled.abort()
  expect(await waiting).toEqual({ approved: false, reason: 'The chat was cancelled' })
})
