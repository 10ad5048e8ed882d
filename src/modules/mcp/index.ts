// AutoMCP as an MCP client: what the rest of the code may use. Everything else in this folder is internal.
export type { ConcreteTransport, ProbeOutcome, ProbeStatus } from './outcome'
export { createProber, type Prober, type ProbeTarget } from './probe'
export { createRemoteProber, type RemoteProber } from './remote'
export {
  createMcpSessions,
  type McpSessions,
  type McpTarget,
  type McpTool,
  type ToolCallResult,
} from './sessions'
