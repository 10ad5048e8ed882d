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

test('a 401 or 403 from the server is its refusal of the credentials, not an unreachable server', () => {
  expect(failureOf('Streamable HTTP error: Error POSTing to endpoint (HTTP 401): unauthorized', 3, 500)).toBe(
    'auth_required',
  )
  expect(failureOf('SSE error: Non-200 status code (403)', 3, 500)).toBe('auth_required')
  expect(failureOf('Error POSTing to endpoint (HTTP 404): gone', 3, 500)).toBe('unreachable')
})
