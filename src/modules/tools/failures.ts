/**
 * Why a tool call or a tool listing got no result: the server was removed meanwhile, did not answer in
 * time, answered with a JSON-RPC error, or could not be reached or spoken to.
 */
export type CallFailure = 'removed' | 'timeout' | 'mcp_error' | 'auth_required' | 'unreachable'

// The SDK's McpError message: how a server's JSON-RPC error answer reads once passed on as a message.
const mcpError = /^MCP error -?\d+:/
// The SDK's transport errors for a refused request: `… (HTTP 401)`, `HTTP 403` (SSE), `status code 401`.
const refused = /\bHTTP 40[13]\b|\(40[13]\)|status code 40[13]\b/

/**
 * What a reported failure was. Failures come as messages only (from the MCP thread, or the API thread's
 * own calls in the same form: mcp/tool-op.ts), so: one that came once the whole timeout had passed is the
 * timeout (the timer starts after the caller's clock started), one in the SDK's `MCP error <code>:` form is the server's own error answer,
 * one that quotes an HTTP 401 or 403 is the server refusing AutoMCP's credentials, and anything else
 * means the server could not be reached or spoken to.
 */
export function failureOf(message: string, elapsedMs: number, timeoutMs: number): CallFailure {
  if (elapsedMs >= timeoutMs) return 'timeout'
  if (mcpError.test(message)) return 'mcp_error'
  return refused.test(message) ? 'auth_required' : 'unreachable'
}
