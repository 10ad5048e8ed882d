import { describe, expect, test } from 'bun:test'
import { reachesToolset } from './toolset-door'

const route = (pattern: string, method = 'POST') => ({ method, pattern, access: 'read' })

describe('reachesToolset', () => {
  test("the gateway's routes of its own toolset", () => {
    expect(reachesToolset('docs', route('/mcp/:toolset'), '/mcp/docs')).toBe(true)
    expect(reachesToolset('docs', route('/mcp/:toolset', 'DELETE'), '/mcp/docs')).toBe(true)
    expect(reachesToolset('docs', route('/sse/:toolset', 'GET'), '/sse/docs')).toBe(true)
    expect(reachesToolset('docs', route('/sse/:toolset/message'), '/sse/docs/message')).toBe(true)
    expect(reachesToolset('docs', route('/mcp/:toolset'), '/mcp/docs/')).toBe(true)
  })

  test('not another toolset', () => {
    expect(reachesToolset('docs', route('/mcp/:toolset'), '/mcp/other')).toBe(false)
    expect(reachesToolset('docs', route('/sse/:toolset/message'), '/sse/other/message')).toBe(false)
    expect(reachesToolset('docs', route('/mcp/:toolset'), '/mcp/docs2')).toBe(false)
  })

  test('not a percent-encoded spelling of its name', () => {
    expect(reachesToolset('docs', route('/mcp/:toolset'), '/mcp/%64ocs')).toBe(false)
    expect(reachesToolset('docs', route('/mcp/:toolset'), '/mcp/DOCS')).toBe(false)
  })

  test('no other route: not /mcp itself, the API, or a route that matched nothing', () => {
    expect(reachesToolset('docs', route('/mcp'), '/mcp')).toBe(false)
    expect(reachesToolset('docs', route('/sse'), '/sse')).toBe(false)
    expect(reachesToolset('docs', route('/servers', 'GET'), '/servers')).toBe(false)
    expect(reachesToolset('docs', route('/toolsets/:name', 'GET'), '/toolsets/docs')).toBe(false)
    expect(reachesToolset('docs', route('/servers/:id', 'GET'), '/servers/docs')).toBe(false)
    expect(reachesToolset('docs', undefined, '/mcp/docs')).toBe(false)
  })
})
