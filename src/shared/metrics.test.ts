import { describe, expect, test } from 'bun:test'
import { createMetrics } from './metrics'

describe('label values in the exposition format', () => {
  test('a backslash, a newline and a quote are escaped; a plain value is written as it is', () => {
    const metrics = createMetrics()
    const c = metrics.counter('t_total', 'test')
    c.inc({ route: '/servers/:id', status: '200' })
    c.inc({ route: 'a\\b\n"c"' }, 2)
    c.inc({ route: 'a\\b\n"c"' })
    const text = metrics.render()
    expect(text).toContain('t_total{route="/servers/:id",status="200"} 1\n')
    expect(text).toContain('t_total{route="a\\\\b\\n\\"c\\""} 3\n')
  })
})
