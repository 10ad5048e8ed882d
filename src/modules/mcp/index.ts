// AutoMCP as an MCP client: what the rest of the code may use. Everything else in this folder is internal.
// This entry is what the API thread loads: the handle on the MCP thread and types only, so that start-up
// does not evaluate the SDK's client. The client itself is `./client`, loaded in the MCP thread and by
// `automcp probe`.

export { stdioEnabled } from './config'
export { ThreadError } from './failure'
export { isMessage } from './jsonrpc-message'
export type { McpPrompt, McpResource, McpTemplate, McpTool, ServerLists } from './lists'
export type { GatewayCallLink, Pending as PendingAuthorization } from './messages'
export type { OAuthEvent, OAuthMaterial, StoredClient, StoredTokens } from './oauth/material'
export { asksNothingNew } from './oauth/scope'
export type { ConcreteTransport, ProbeOutcome, ProbeStatus } from './outcome'
export type { Prober, ProbeTarget } from './probe'
export { createMcpThread, type McpThread } from './remote'
export type { McpSessions } from './sessions'
export { commandAllowed } from './stdio/commands'
export type { LogLine } from './stdio/log-ring'
export { endOrphans } from './stdio/process-group'
export type { ProcessEvent, StdioSettings } from './stdio/supervisor'
export type { ToolCallResult } from './tool-call'
export type { HttpTarget, McpTarget } from './transports'
export type { ClientCaps, Notice } from './upstream'
