/**
 * Why a tool call or a tool listing got no result: the server was removed meanwhile, did not answer in
 * time, answered with a JSON-RPC error, or could not be reached or spoken to.
 */
export type CallFailure = 'removed' | 'timeout' | 'mcp_error' | 'unreachable'

// The SDK's McpError message: how a server's JSON-RPC error answer reads once the MCP thread passed it on.
const mcpError = /^MCP error -?\d+:/

/**
 * What a failure the MCP thread reported was. The thread passes failures on as messages only, so: one
 * that came once the whole timeout had passed is the timeout (the thread starts its timer after the
 * caller's clock started), one in the SDK's `MCP error <code>:` form is the server's own error answer,
 * and anything else means the server could not be reached or spoken to.
 */
export function failureOf(message: string, elapsedMs: number, timeoutMs: number): CallFailure {
  if (elapsedMs >= timeoutMs) return 'timeout'
  return mcpError.test(message) ? 'mcp_error' : 'unreachable'
}
