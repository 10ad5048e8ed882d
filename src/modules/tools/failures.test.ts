import { expect, test } from 'bun:test'
import { failureOf } from './failures'

test('a failure once the whole timeout passed is a timeout, whatever it says', () => {
  expect(failureOf('no answer within 500 ms', 500, 500)).toBe('timeout')
  expect(failureOf('MCP error -32001: Request timed out', 731.5, 500)).toBe('timeout')
})

test("before the timeout: the server's JSON-RPC error answer, or a server that could not be reached", () => {
  expect(failureOf('MCP error -32602: Tool nope not found', 12, 500)).toBe('mcp_error')
  expect(failureOf('MCP error 7: odd but a server error', 12, 500)).toBe('mcp_error')
  expect(failureOf('Unable to connect. Is the computer able to access the url?', 3, 500)).toBe('unreachable')
  expect(failureOf('Streamable HTTP error: Error POSTing to endpoint: MCP error', 3, 500)).toBe('unreachable')
  expect(failureOf('AutoMCP is stopping', 3, 500)).toBe('unreachable')
})
