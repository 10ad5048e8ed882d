import { expect, test } from 'bun:test'
import type { ServerStatus } from '../../shared/domain'
import { DAY, MINUTE, SECOND } from '../../shared/time'
import { createStatusBoard } from './status'

test('the board reads statuses at most every 5 s and each window’s uptimes once a minute', () => {
  let t = 100 * DAY
  let status: ServerStatus = 'healthy'
  const asked: number[] = []
  const board = createStatusBoard({
    servers: () => [{ id: 'a', name: 'A', status }],
    uptimeSince: (since) => {
      asked.push(t - since)
      return new Map([['a', t - since === DAY ? 0.5 : 0.75]])
    },
    now: () => t,
  })
  expect(board.rows().rows).toEqual([
    { id: 'a', name: 'A', status: 'healthy', uptime_24h: 0.5, uptime_30d: 0.75 },
  ])
  expect(asked).toEqual([DAY, 30 * DAY])
  expect(board.uptime('a', '7d')).toBe(0.75)
  expect(board.uptime('b', '7d')).toBeNull()
  expect(board.row('b')).toBeUndefined()
  status = 'unhealthy'
  t += 4 * SECOND
  expect(board.row('a')?.status).toBe('healthy')
  t += SECOND
  expect(board.row('a')?.status).toBe('unhealthy')
  // Within the minute, no window's uptime is read again.
  expect(asked).toEqual([DAY, 30 * DAY, 7 * DAY])
  t += MINUTE
  board.rows()
  expect(asked).toEqual([DAY, 30 * DAY, 7 * DAY, DAY, 30 * DAY])
})
