// The MCP client itself (the SDK's transports, sessions and checks): loaded in the MCP thread
// (src/mcp-worker.ts) and by `automcp probe`, never by the API thread at start-up.
export { createProber } from './probe'
export { createMcpSessions } from './sessions'
export { serveMcpThread } from './worker'
