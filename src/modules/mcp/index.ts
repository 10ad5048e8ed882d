// AutoMCP as an MCP client: what the rest of the code may use. Everything else in this folder is internal.
export type { McpTool } from './lists'
export type { ConcreteTransport, ProbeOutcome, ProbeStatus } from './outcome'
export { createProber, type Prober, type ProbeTarget } from './probe'
export { createMcpThread, type McpThread } from './remote'
export { createMcpSessions, type McpSessions } from './sessions'
export type { ToolCallResult } from './tool-call'
export type { McpTarget } from './transports'
export { serveMcpThread } from './worker'
