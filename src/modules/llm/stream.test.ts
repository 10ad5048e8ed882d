import { expect, test } from 'bun:test'
import { UpstreamError } from './errors'
import { readEvent } from './stream'

test('a chunk that can only carry a token is passed on unparsed', () => {
  const raw = '{"choices":[{"delta":{"content":"hi"},"finish_reason":null}],"usage":null}'
  expect(readEvent(raw)).toEqual({ raw })
})

test('a chunk that may carry a finish reason, usage or error is parsed', () => {
  const raw = '{"choices":[{"delta":{},"finish_reason":"stop"}],"usage":{"total_tokens":3}}'
  expect(readEvent(raw)).toEqual({ raw, parsed: JSON.parse(raw) })
})

test('an error chunk or one that is not a JSON object is a failure', () => {
  const error = readEvent('{"error":{"code":429,"message":"slow down"}}')
  expect(error).toBeInstanceOf(UpstreamError)
  expect(error).toMatchObject({ code: 'upstream_rate_limited', message: 'slow down', status: 429 })
  expect(readEvent('[1,2]')).toMatchObject({ code: 'upstream_invalid' })
  expect(readEvent('not json')).toMatchObject({ code: 'upstream_invalid' })
})
