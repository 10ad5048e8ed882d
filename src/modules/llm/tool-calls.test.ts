import { expect, test } from 'bun:test'
import { roundMs } from '../../shared/time'
import { parseArguments } from './tool-calls'

test('arguments are a JSON object; empty text is no arguments, anything else is refused', () => {
  expect(parseArguments('{"a":1}')).toEqual({ a: 1 })
  expect(parseArguments('  ')).toEqual({})
  expect(parseArguments('[1]')).toBeUndefined()
  expect(parseArguments('null')).toBeUndefined()
  expect(parseArguments('"x"')).toBeUndefined()
  expect(parseArguments('{"a":')).toBeUndefined()
})

test('latencies are reported to a hundredth of a millisecond', () => {
  expect(roundMs(1.23456)).toBe(1.23)
  expect(roundMs(0)).toBe(0)
})
