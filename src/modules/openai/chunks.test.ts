import { expect, test } from 'bun:test'
import type { Chunk } from '../llm/stream'
import type { AgentResult } from '../llm/types'
import { closingEvents, createChunkFilter, event } from './chunks'

const text = (events: Uint8Array[]) => events.map((e) => new TextDecoder().decode(e)).join('')
const chunk = (data: Record<string, unknown>): Chunk => ({ raw: JSON.stringify(data) })
const delta = (d: Record<string, unknown>, finish_reason: string | null = null) =>
  chunk({ id: 'c', created: 1, model: 'm', choices: [{ index: 0, delta: d, finish_reason }] })
const usageChunk = chunk({ id: 'c', choices: [], usage: { total_tokens: 3 } })

test('without tool use chunks pass as the upstream wrote them; usage only when asked for', () => {
  const chunks = [delta({ content: 'hi' }), usageChunk]
  expect(text(createChunkFilter({ toolUse: false, includeUsage: false }).events(chunks))).toBe(
    `data: ${chunks[0]?.raw}\n\n`,
  )
  expect(text(createChunkFilter({ toolUse: false, includeUsage: true }).events(chunks))).toBe(
    `data: ${chunks[0]?.raw}\n\ndata: ${usageChunk.raw}\n\n`,
  )
})

test("with tool use the steps' calls, usage and tool_calls finish are left out", () => {
  const filter = createChunkFilter({ toolUse: true, includeUsage: true })
  const events = filter.events([
    delta({ role: 'assistant' }),
    delta({ role: 'assistant' }), // the role is sent once
    delta({ tool_calls: [{ index: 0, id: 'x' }] }),
    delta({}, 'tool_calls'),
    usageChunk,
    delta({ content: 'done' }, 'stop'),
  ])
  const sent = text(events)
    .split('\n\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line.slice('data: '.length)))
  expect(sent.map((c) => c.choices[0])).toEqual([
    { index: 0, delta: { role: 'assistant' }, finish_reason: null },
    { index: 0, delta: { content: 'done' }, finish_reason: 'stop' },
  ])
  expect(filter.last.id).toBe('c')
})

test('a stream ends with the summary of the tool loop when it ran, and [DONE]', () => {
  const last = { id: 'c', created: 1, model: 'm' }
  expect(text(closingEvents(last, undefined, true))).toBe('data: [DONE]\n\n')
  const agent: AgentResult = {
    finish_reason: 'tool_calls',
    usage: { total_tokens: 9 },
    calls: [],
    steps: 2,
    max_steps_reached: true,
    text: '',
  }
  const tail = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm' }
  expect(text(closingEvents(last, agent, true))).toBe(
    text([
      event({ ...tail, choices: [{ index: 0, delta: {}, finish_reason: 'length' }] }),
      event({
        ...tail,
        choices: [],
        usage: { total_tokens: 9 },
        automcp: { tool_calls: [], steps: 2, max_steps_reached: true },
      }),
      event('[DONE]'),
    ]),
  )
})
