import { expect, test } from 'bun:test'
import { envelopeRefusal, idOf, schemaError } from './messages'

test('a message must be one JSON object within the size and depth limits', () => {
  expect(envelopeRefusal({ type: 'ping' }, 100)).toBeUndefined()
  expect(envelopeRefusal('not json', 100)?.error.code).toBe('invalid_json')
  expect(envelopeRefusal([1], 100)?.error.code).toBe('invalid_json')
  expect(envelopeRefusal(new Uint8Array(2), 100)?.error.code).toBe('invalid_json')
  expect(envelopeRefusal('x'.repeat(101), 100)).toEqual({
    id: null,
    error: { code: 'message_too_large', message: 'A message may be at most 100 bytes' },
  })
  expect(envelopeRefusal({ id: 7, text: 'é'.repeat(50) }, 100)).toMatchObject({
    id: 7,
    error: { code: 'message_too_large' },
  })
  let deep: Record<string, unknown> = {}
  const root = { id: 'd', nested: deep }
  for (let i = 0; i < 300; i++) {
    const next = {}
    deep.n = next
    deep = next
  }
  expect(envelopeRefusal(root, 1_000_000)).toEqual({
    id: 'd',
    error: { code: 'invalid_request', message: 'A message may nest at most 256 levels deep' },
  })
})

test('errors name the chat when the message has a usable id', () => {
  expect(idOf({ id: 'a' })).toBe('a')
  expect(idOf({ id: 3 })).toBe(3)
  expect(idOf({ id: {} })).toBeNull()
  expect(idOf({})).toBeNull()
})

test('each kind of message is checked against its schema', () => {
  expect(schemaError('cancel', { type: 'cancel', id: 'a' })).toBeUndefined()
  expect(schemaError('cancel', { type: 'cancel' })?.code).toBe('invalid_request')
  expect(schemaError('verdict', { type: 'approve', id: 'a' })?.message).toContain('approve')
})
