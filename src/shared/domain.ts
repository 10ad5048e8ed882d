// The words the database, the API schemas and the code share. Each list is written once, here: the
// Drizzle enums (src/db/schema.ts), the `t` schemas and the TypeScript types are all derived from it.

/** A server's status as the API reports it: `unknown` until its first check. */
export const serverStatuses = ['healthy', 'degraded', 'unhealthy', 'unknown'] as const
export type ServerStatus = (typeof serverStatuses)[number]

/** What one check finds (a status minus `unknown`): the `checks` table and `/history` rows. */
export const checkStatuses = ['healthy', 'degraded', 'unhealthy'] as const
export type CheckStatus = (typeof checkStatuses)[number]

/** The transports a check actually speaks: what `active_transport` reports. */
export const concreteTransports = ['streamable-http', 'sse', 'http', 'stdio'] as const
export type ConcreteTransport = (typeof concreteTransports)[number]

/** The transports a server may be registered with; `auto` tries the network ones (not stdio) in this order. */
export const transports = ['auto', ...concreteTransports] as const
export type Transport = (typeof transports)[number]

/** How a stdio server's child last ended: its exit code, or the signal that ended it. */
export type ProcessExit = { code: number | null; signal: string | null; at: number }

/** Who made a tool call (the `tool_calls` table). */
export const toolCallSources = ['chat', 'v1', 'direct'] as const
export type ToolCallSource = (typeof toolCallSources)[number]

/** A stdio server's program, as its child is started: `env` in plain text (it is sealed at rest). */
export type StdioCommand = {
  command: string
  args: string[]
  env: Record<string, string>
  cwd: string | null
}
