import { describe, expect, test } from 'bun:test'
import {
  formatUptime,
  type StatusRow,
  statusJson,
  statusPageHtml,
  summaryOf,
  uptimeColour,
} from './status-page'

const row = (over: Partial<StatusRow> = {}): StatusRow => ({
  id: 'a',
  name: 'Alpha',
  status: 'healthy',
  uptime_24h: 1,
  uptime_30d: 0.995,
  ...over,
})

describe('formatUptime', () => {
  test('two decimals at most, rounded down, so nearly 100 % never reads as 100 %', () => {
    expect(formatUptime(1)).toBe('100%')
    expect(formatUptime(0.99999)).toBe('99.99%')
    expect(formatUptime(0.995)).toBe('99.5%')
    expect(formatUptime(0.29)).toBe('29%')
    expect(formatUptime(0)).toBe('0%')
    expect(formatUptime(null)).toBe('no data')
  })
})

describe('uptimeColour', () => {
  test('green from 99 %, down to red under 90 %, grey without data', () => {
    expect([1, 0.99, 0.98, 0.96, 0.92, 0.5, null].map(uptimeColour)).toEqual([
      'green',
      'green',
      'yellowgreen',
      'yellow',
      'orange',
      'red',
      'grey',
    ])
  })
})

describe('summaryOf', () => {
  test('all healthy, or how many are and what the others are', () => {
    expect(summaryOf([])).toBe('No servers are monitored yet.')
    expect(summaryOf([row()])).toBe('The server is healthy.')
    expect(summaryOf([row(), row()])).toBe('All 2 servers are healthy.')
    expect(summaryOf([row(), row({ status: 'degraded' }), row({ status: 'unhealthy' })])).toBe(
      '1 of 3 servers healthy: 1 degraded, 1 unhealthy.',
    )
  })
})

describe('statusPageHtml', () => {
  const page = (rows: StatusRow[]) =>
    statusPageHtml(rows, { stylesheet: '/status/s.css', now: Date.UTC(2026, 0, 2, 3, 4, 5) })

  test('a row per server: its name, its status as a word and a colour class, its uptimes', () => {
    const html = page([
      row(),
      row({ id: 'b', name: 'Beta', status: 'unhealthy', uptime_24h: 0.5, uptime_30d: null }),
    ])
    expect(html).toContain(
      '<tr><th scope="row">Alpha</th><td><span class="status colour-green">healthy</span></td><td class="uptime colour-green">100%</td><td class="uptime colour-green">99.5%</td></tr>',
    )
    expect(html).toContain(
      '<tr><th scope="row">Beta</th><td><span class="status colour-red">unhealthy</span></td><td class="uptime colour-red">50%</td><td class="uptime colour-grey">no data</td></tr>',
    )
    expect(html).toContain('<link rel="stylesheet" href="/status/s.css" />')
    expect(html).toContain('<time datetime="2026-01-02T03:04:05Z">2026-01-02 03:04:05 UTC</time>')
    // The CSP allows no inline script or style: the page has none.
    expect(html).not.toMatch(/<script|style=|<style/i)
    // Ids are for badges (JSON); the page does not need them.
    expect(html).not.toContain('"b"')
  })

  test('names are escaped', () => {
    const html = page([row({ name: '<img src=x onerror=alert(1)>&"' })])
    expect(html).toContain('<th scope="row">&lt;img src=x onerror=alert(1)&gt;&amp;&quot;</th>')
    expect(html).not.toContain('<img')
  })

  test('no servers: the sentence, no table', () => {
    const html = page([])
    expect(html).toContain('No servers are monitored yet.')
    expect(html).not.toContain('<table')
  })
})

test('statusJson: ids, names, statuses and uptimes only, and when they were read', () => {
  const extra = { ...row(), url: 'http://secret', status_reason: 'timeout' } as StatusRow
  expect(statusJson([extra], 1_500)).toEqual({
    servers: [{ id: 'a', name: 'Alpha', status: 'healthy', uptime_24h: 1, uptime_30d: 0.995 }],
    updated_at: 1.5,
  })
})
