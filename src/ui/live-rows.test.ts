import { describe, expect, test } from 'bun:test'
import type { ServerInfo } from '../modules/servers/model'
import { backoff, countsOf, nextRow, orderOf, sparkLength, tagsOf } from './live-rows'

const info = (over: Partial<ServerInfo>): ServerInfo =>
  ({
    id: 'a',
    name: 'a',
    status: 'unknown',
    tags: [],
    latency_ms: null,
    last_checked: null,
    ...over,
  }) as ServerInfo

describe('live rows', () => {
  test('a check adds its latency; a settings change does not', () => {
    let row = nextRow(undefined, info({ latency_ms: 5, last_checked: 1 }))
    expect(row.latencies).toEqual([5])
    row = nextRow(row, info({ latency_ms: 7, last_checked: 2 }))
    row = nextRow(row, info({ latency_ms: 7, last_checked: 2, name: 'renamed' }))
    expect(row.latencies).toEqual([5, 7])
    expect(row.info.name).toBe('renamed')
    for (let i = 3; i < 100; i++) row = nextRow(row, info({ latency_ms: i, last_checked: i }))
    expect(row.latencies).toHaveLength(sparkLength)
    expect(row.latencies.at(-1)).toBe(99)
  })

  test('order by name then id; counts per status; tags once each', () => {
    const infos = [
      info({ id: 'z', name: 'b', status: 'healthy', tags: ['x', 'y'] }),
      info({ id: 'y', name: 'a', status: 'unhealthy', tags: ['x'] }),
      info({ id: 'x', name: 'b', status: 'healthy' }),
    ]
    expect(orderOf(infos)).toEqual(['y', 'x', 'z'])
    expect(countsOf(infos)).toEqual({ healthy: 2, degraded: 0, unhealthy: 1, unknown: 0 })
    expect(tagsOf(infos)).toEqual(['x', 'y'])
  })

  test('the backoff doubles from half a second up to ten', () => {
    expect(backoff(0, () => 0.5)).toBe(500)
    expect(backoff(3, () => 0.5)).toBe(4000)
    expect(backoff(20, () => 0.5)).toBe(10_000)
  })
})
