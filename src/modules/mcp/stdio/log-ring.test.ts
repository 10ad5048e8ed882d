import { describe, expect, test } from 'bun:test'
import { createLogRing } from './log-ring'

describe('log ring', () => {
  test('keeps whole lines, a partial one until its end, and the time each arrived', () => {
    const ring = createLogRing()
    ring.write('one\ntw', 1)
    expect(ring.tail(10)).toEqual([{ time: 1, text: 'one' }])
    ring.write('o\r\nthree\n', 2)
    ring.write('four', 3)
    ring.end(4)
    expect(ring.tail(10)).toEqual([
      { time: 1, text: 'one' },
      { time: 2, text: 'two' },
      { time: 2, text: 'three' },
      { time: 4, text: 'four' },
    ])
    expect(ring.tail(2).map((l) => l.text)).toEqual(['three', 'four'])
    expect(ring.last()).toBe('four')
  })

  test('drops the oldest lines past the line limit or the byte limit', () => {
    const byLines = createLogRing({ maxLines: 3, maxBytes: 1_000_000, maxLineChars: 100 })
    for (let i = 0; i < 10; i++) byLines.write(`line ${i}\n`, i)
    expect(byLines.tail(100).map((l) => l.text)).toEqual(['line 7', 'line 8', 'line 9'])
    // 10 characters are 20 bytes: 50 bytes hold two such lines.
    const byBytes = createLogRing({ maxLines: 1_000, maxBytes: 50, maxLineChars: 100 })
    for (let i = 0; i < 5; i++) byBytes.write(`${'x'.repeat(9)}${i}\n`, i)
    expect(byBytes.tail(100).map((l) => l.text)).toEqual(['xxxxxxxxx3', 'xxxxxxxxx4'])
  })

  test('cuts a line that never ends, so one stream without line breaks cannot hold all the memory', () => {
    const ring = createLogRing({ maxLines: 10, maxBytes: 1_000, maxLineChars: 8 })
    ring.write('abcdefghijkl', 1)
    expect(ring.tail(10)).toEqual([{ time: 1, text: 'abcdefgh…' }])
    expect(ring.tail(0)).toEqual([])
  })
})
