import { expect, test } from 'bun:test'
import { applyMessage, contentText, type Entry, endsChat, historyOf, setApproval } from './chat-log'

const chunk = (content: string) => ({ choices: [{ index: 0, delta: { content } }] })
const call = { id: 'call_1', name: 'Everything__echo', server_id: 'ref', arguments: { message: 'hi' } }

const fold = (messages: Record<string, unknown>[], entries: Entry[] = []) =>
  messages.reduce((acc, m) => applyMessage(acc, 'c1', m), entries)

test('chunks make one text block; a tool card splits the text before and after it', () => {
  const entries = fold([
    { type: 'chunk', id: 'c1', data: chunk('Let me ') },
    { type: 'chunks', id: 'c1', data: [chunk('look'), chunk('.')] },
    { type: 'tool_call', id: 'c1', call },
    {
      type: 'tool_result',
      id: 'c1',
      call_id: 'call_1',
      ok: true,
      content: [{ type: 'text', text: 'Echo: hi' }],
      latency_ms: 2.5,
    },
    { type: 'chunk', id: 'c1', data: chunk('It said hi') },
    { type: 'done', id: 'c1', finish_reason: 'stop' },
  ])
  expect(entries).toEqual([
    { kind: 'assistant', text: 'Let me look.' },
    { kind: 'tool', call, approval: 'none', result: { ok: true, text: 'Echo: hi', latencyMs: 2.5 } },
    { kind: 'assistant', text: 'It said hi' },
  ])
})

test('messages of another chat, and events, change nothing', () => {
  const entries: Entry[] = [{ kind: 'user', text: 'q' }]
  expect(
    fold(
      [
        { type: 'chunk', id: 'c0', data: chunk('x') },
        { type: 'server_update', server: {} },
      ],
      entries,
    ),
  ).toBe(entries)
})

test('an approval request marks the card pending; the answer and a refusal result follow', () => {
  let entries = fold([
    { type: 'tool_call', id: 'c1', call },
    { type: 'tool_approval', id: 'c1', call },
  ])
  expect(entries[0]).toMatchObject({ approval: 'pending' })
  entries = setApproval(entries, 'call_1', 'denied')
  entries = fold(
    [
      {
        type: 'tool_result',
        id: 'c1',
        call_id: 'call_1',
        ok: false,
        content: [{ type: 'text', text: 'Error: denied' }],
      },
    ],
    entries,
  )
  expect(entries[0]).toMatchObject({
    approval: 'denied',
    result: { ok: false, text: 'Error: denied', latencyMs: null },
  })
})

test('errors keep their code; cancellation is said; the ends of a chat are known', () => {
  const entries = fold([
    { type: 'error', id: 'c1', error: { code: 'upstream_rate_limited', status: 429, message: 'Slow down' } },
    { type: 'cancelled', id: 'c1' },
  ])
  expect(entries).toEqual([
    { kind: 'error', code: 'upstream_rate_limited', message: 'Slow down' },
    { kind: 'end', text: 'Cancelled' },
  ])
  expect(
    ['done', 'response', 'error', 'cancelled'].map((type) => endsChat({ type, id: 'c1' }, 'c1')),
  ).toEqual([true, true, true, true])
  expect(endsChat({ type: 'chunk', id: 'c1' }, 'c1')).toBe(false)
  expect(endsChat({ type: 'done', id: 'c2' }, 'c1')).toBe(false)
})

test("a non-streaming response is the answer's text", () => {
  const data = { choices: [{ message: { role: 'assistant', content: 'Hello' } }] }
  expect(fold([{ type: 'response', id: 'c1', data }])).toEqual([{ kind: 'assistant', text: 'Hello' }])
})

test('the history holds each question and the text after it, tool cards and errors left out', () => {
  const entries: Entry[] = [
    { kind: 'user', text: 'q1' },
    { kind: 'assistant', text: 'Let me look. ' },
    { kind: 'tool', call, approval: 'none' },
    { kind: 'assistant', text: 'A1' },
    { kind: 'user', text: 'q2' },
    { kind: 'error', code: 'x', message: 'y' },
    { kind: 'user', text: 'q3' },
  ]
  expect(historyOf(entries)).toEqual([
    { role: 'user', content: 'q1' },
    { role: 'assistant', content: 'Let me look. A1' },
    { role: 'user', content: 'q2' },
    { role: 'user', content: 'q3' },
  ])
})

test('content parts other than text are named', () => {
  expect(
    contentText([
      { type: 'text', text: 'a' },
      { type: 'image', data: '…' },
    ]),
  ).toBe('a\n[image]')
  expect(contentText(undefined)).toBe('')
})

test('a late verdict refused with unknown_id is shown and does not end the chat', () => {
  const late = {
    type: 'error',
    id: 'c1',
    error: { code: 'unknown_id', message: 'No tool call "x" is waiting' },
  }
  expect(endsChat(late, 'c1')).toBe(false)
  expect(fold([late])).toEqual([
    { kind: 'error', code: 'unknown_id', message: 'No tool call "x" is waiting' },
  ])
})

test('a chat stopped by max_steps says so', () => {
  expect(fold([{ type: 'done', id: 'c1', steps: 8, max_steps_reached: true }])).toEqual([
    { kind: 'end', text: 'Stopped after 8 model requests (max_steps)' },
  ])
  expect(fold([{ type: 'done', id: 'c1', steps: 2 }])).toEqual([])
})

test('a call id seen in an earlier chat (`call_0` again): only the newest card with it changes', () => {
  const first = fold([
    { type: 'tool_call', id: 'c1', call: { ...call, id: 'call_0' } },
    { type: 'tool_result', id: 'c1', call_id: 'call_0', ok: true, content: [{ type: 'text', text: 'one' }] },
  ])
  const both = fold(
    [
      { type: 'tool_call', id: 'c1', call: { ...call, id: 'call_0' } },
      {
        type: 'tool_result',
        id: 'c1',
        call_id: 'call_0',
        ok: true,
        content: [{ type: 'text', text: 'two' }],
      },
    ],
    first,
  )
  const texts = both.flatMap((e) => (e.kind === 'tool' ? [e.result?.text] : []))
  expect(texts).toEqual(['one', 'two'])
})
