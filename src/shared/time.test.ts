import { expect, test } from 'bun:test'
import {
  ceilSeconds,
  DAY,
  HOUR,
  msToSeconds,
  msToSecondsOrNull,
  periodStart,
  roundMs,
  secondsToMs,
} from './time'

test('seconds and milliseconds', () => {
  expect(msToSeconds(1_795_613_790_500)).toBe(1_795_613_790.5)
  expect(secondsToMs(1.5)).toBe(1_500)
  expect(msToSecondsOrNull(null)).toBeNull()
  // Retry-After rounds up: waiting the whole seconds is never too early.
  expect(ceilSeconds(1)).toBe(1)
  expect(ceilSeconds(1_000)).toBe(1)
  expect(ceilSeconds(1_001)).toBe(2)
})

test('durations are rounded to 10 µs', () => {
  expect(roundMs(12.345_67)).toBe(12.35)
  expect(roundMs(0.004)).toBe(0)
})

test('a period starts on its UTC boundary', () => {
  const noon = Date.UTC(2026, 0, 31, 12)
  expect(periodStart(noon + 59 * 60_000, HOUR)).toBe(noon)
  expect(periodStart(noon, HOUR)).toBe(noon)
  expect(periodStart(noon, DAY)).toBe(Date.UTC(2026, 0, 31))
})
