import { expect, test } from 'bun:test'
import type { Logger } from '../../shared/logger'
import { createChatStats, trackChat } from './stats'

test('a tracked chat counts as active until it ends, once, with one log line', () => {
  const outcomes: string[] = []
  const lines: [string, Record<string, unknown> | undefined][] = []
  const logger = {
    info: (msg: string, fields?: Record<string, unknown>) => lines.push([msg, fields]),
  } as unknown as Logger
  const stats = createChatStats((outcome) => outcomes.push(outcome))
  const end = trackChat(stats, logger, { id: 1, model: 'm' })
  expect(stats.active).toBe(1)
  end('cancelled', { finish_reason: null })
  end('done')
  expect(stats.active).toBe(0)
  expect(outcomes).toEqual(['cancelled'])
  expect(lines).toHaveLength(1)
  const [msg, fields] = lines[0] ?? []
  expect(msg).toBe('chat')
  expect(Object.keys(fields ?? {})).toEqual(['id', 'model', 'outcome', 'finish_reason', 'ms'])
  expect(fields).toMatchObject({ id: 1, model: 'm', outcome: 'cancelled', finish_reason: null })
})
