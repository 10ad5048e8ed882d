import { expect, test } from 'bun:test'
import { callsNear } from './near'
import type { McpTarget } from './transports'

const http = { id: 'a', url: 'http://example.test/mcp', headers: {} }
const oauth = { tokens: { access_token: 't', token_type: 'Bearer' } } as never

test.each<[string, McpTarget, boolean]>([
  ['streamable HTTP', { ...http, transport: 'streamable-http' }, true],
  [
    'streamable HTTP with OAuth (its refreshes live on the MCP thread)',
    { ...http, transport: 'streamable-http', oauth },
    false,
  ],
  ['legacy SSE', { ...http, transport: 'sse' }, false],
  [
    'stdio',
    { id: 'c', transport: 'stdio', generation: 1, stdio: { command: 'node', args: [], env: {} } } as never,
    false,
  ],
])('whether a tool call to a %s server is made on the API thread', (_, target, near) => {
  expect(callsNear(target)).toBe(near)
})
