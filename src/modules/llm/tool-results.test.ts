import { expect, test } from 'bun:test'
import type { CallOutcome } from '../tools/catalog'
import { boundedContent, refused, resultText } from './tool-results'

const outcome = (content: unknown[], extra: Partial<CallOutcome> = {}): CallOutcome => ({
  ok: true,
  content,
  latencyMs: 1,
  ...extra,
})

test('a result reads to the model as its text parts, with a note for each part that is not text', () => {
  const text = resultText(
    outcome([
      { type: 'text', text: 'hello' },
      { type: 'image', mimeType: 'image/png', data: 'AAAA' },
      { type: 'resource', resource: { uri: 'file:///a', text: 'inside' } },
      { type: 'resource', resource: { uri: 'file:///b' } },
      { type: 'resource_link', uri: 'file:///c' },
      { type: 'other', x: 1 },
    ]),
  )
  expect(text).toBe(
    'hello\n[image image/png]\ninside\n[resource file:///b]\n[resource file:///c]\n{"type":"other","x":1}',
  )
})

test('structured content stands in for an empty result, a failure says so, and a long one is cut', () => {
  expect(resultText(outcome([], { structuredContent: { a: 1 } }))).toBe('{"a":1}')
  expect(resultText(refused('no such tool'))).toBe('Error: no such tool')
  const long = resultText(outcome([{ type: 'text', text: 'x'.repeat(70_000) }]))
  expect(long.length).toBe(64 * 1024 + '… [truncated]'.length)
  expect(long.endsWith('… [truncated]')).toBe(true)
})

test('a client is sent large parts cut or without their data, and no more than 256 KB in all', () => {
  const [text, image, resource] = boundedContent([
    { type: 'text', text: 'y'.repeat(70_000) },
    { type: 'image', mimeType: 'image/png', data: 'A'.repeat(80_000) },
    { type: 'resource', resource: { uri: 'u', blob: 'B'.repeat(80_000) } },
  ]) as Record<string, unknown>[]
  expect(String(text?.text).endsWith('… [truncated]')).toBe(true)
  expect(image).toEqual({ type: 'image', mimeType: 'image/png', omitted_bytes: 60_000 })
  expect(resource).toEqual({ type: 'resource', resource: { uri: 'u', omitted_bytes: 60_000 } })

  const many = boundedContent(Array.from({ length: 10 }, () => ({ type: 'text', text: 'z'.repeat(60_000) })))
  expect(many).toHaveLength(5)
  expect(many[4]).toEqual({ type: 'text', text: '[6 more parts left out]' })
})
