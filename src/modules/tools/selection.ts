import type { ServerRow } from '../../db/schema'
import type { McpTool } from '../mcp'
import { discoveryTools } from './discovery'
import { assignNames } from './names'
import { createToolIndex, type ToolIndex } from './search'

// What a chat is offered, as pure functions of the registry and the live tool lists: which servers
// count, which of their tools, under which names, and what a selection picks.

/** One MCP tool offered to the model, under the function name it sees. */
export type ToolEntry = {
  name: string
  serverId: string
  serverName: string
  tool: string
  description?: string
  inputSchema: Record<string, unknown>
  /** Its server is healthy (not degraded) and answered its last check in `latencyMs`: for search. */
  healthy: boolean
  latencyMs: number | null
}

/** An OpenAI function tool, as sent to the upstream. */
export type FunctionTool = {
  type: 'function'
  function: { name: string; description?: string; parameters: Record<string, unknown> }
}

/**
 * What a chat is offered. In discovery mode (`discovery` set) `definitions` are only `search_tools` and
 * `call_tool`, which search `discovery` and call the tools of `byName`.
 */
export type ToolSet = {
  entries: ToolEntry[]
  definitions: FunctionTool[]
  byName: Map<string, ToolEntry>
  discovery?: ToolIndex<ToolEntry>
}

/** A chat's choice of tools that cannot be met; `code` is what the chat reports. */
export class ToolSelectionError extends Error {
  constructor(
    readonly code: 'unknown_server' | 'too_many_tools',
    message: string,
  ) {
    super(message)
  }
}

// A schema this large is a mistake or an attack, and would eat the model's context on every request.
const maxSchemaBytes = 64 * 1024

/** Healthy, or degraded for being slow (slow is not broken); not degraded for wanting credentials. */
export const offersTools = (row: Pick<ServerRow, 'status' | 'statusReason'>) =>
  row.status === 'healthy' || (row.status === 'degraded' && row.statusReason === 'slow')

/** A server's tools as they can be offered: each name once, no giant schema (`dropped` hears of those). */
export function usableTools(tools: McpTool[], dropped: (tool: string) => void): McpTool[] {
  const seen = new Set<string>()
  return tools.filter((t) => {
    if (seen.has(t.name)) return false
    seen.add(t.name)
    if (JSON.stringify(t.inputSchema ?? {}).length <= maxSchemaBytes) return true
    dropped(t.name)
    return false
  })
}

/**
 * The listed tools under the function names the model sees. Names are given over every registered
 * server's tools (the live list where there is one, else the last one a check saw), not just the listed
 * ones, so a tool keeps its name whatever a chat selects and whichever other servers are healthy now.
 */
export function nameTools(rows: ServerRow[], listed: { row: ServerRow; tools: McpTool[] }[]): ToolEntry[] {
  const live = new Map(listed.map(({ row, tools }) => [row.id, tools]))
  const nameOf = new Map(
    assignNames(
      rows.flatMap((row) =>
        (live.get(row.id)?.map((t) => t.name) ?? checkedToolNames(row)).map((tool) => ({
          serverId: row.id,
          serverName: row.name,
          tool,
        })),
      ),
    ).map((t) => [`${t.serverId}\0${t.tool}`, t.name]),
  )
  return listed.flatMap(({ row, tools }) =>
    tools.map((t) => ({
      name: nameOf.get(`${row.id}\0${t.name}`) as string,
      serverId: row.id,
      serverName: row.name,
      tool: t.name,
      description: t.description,
      inputSchema: t.inputSchema,
      healthy: row.status === 'healthy',
      latencyMs: row.latencyMs,
    })),
  )
}

/**
 * What a selection picks: every named tool, or those listed by function or tool name (on any server).
 * `"discover"`, or `"auto"` over `maxTools`, is discovery mode over every named tool; a list of names
 * over `maxTools` is refused.
 */
export function pickTools(named: ToolEntry[], tools: ToolSelection['tools'], maxTools: number): ToolSet {
  if (tools === 'discover') return discoverySet(named)
  const names = Array.isArray(tools) ? new Set(tools) : undefined
  // A listed name is the function name the model sees or the tool's own name (on any server).
  const picked = names ? named.filter((e) => names.has(e.name) || names.has(e.tool)) : named
  if (picked.length > maxTools) {
    if (!names) return discoverySet(picked)
    throw new ToolSelectionError(
      'too_many_tools',
      `${picked.length} tools would be offered, more than ${maxTools} (AUTOMCP_MAX_TOOLS): choose fewer with "servers" or "tools", or use "tools": "discover"`,
    )
  }
  return {
    entries: picked,
    definitions: picked.map((e) => functionTool(e.name, e.description, e.inputSchema)),
    byName: new Map(picked.map((e) => [e.name, e])),
  }
}

/** Discovery mode: `search_tools` and `call_tool` offered, over an index of `entries`. */
function discoverySet(entries: ToolEntry[]): ToolSet {
  return {
    entries,
    definitions: discoveryTools.map((t) => functionTool(t.name, t.description, t.inputSchema)),
    byName: new Map(entries.map((e) => [e.name, e])),
    discovery: createToolIndex(entries),
  }
}

const functionTool = (
  name: string,
  description: string | undefined,
  parameters: Record<string, unknown>,
): FunctionTool => ({
  type: 'function',
  function: { name, ...(description ? { description } : {}), parameters },
})

/** The tool names the last successful check of a server listed. */
function checkedToolNames(row: ServerRow): string[] {
  const tools = (row.capabilities as { tools?: unknown }).tools
  return Array.isArray(tools) ? tools.flatMap((t) => (typeof t?.name === 'string' ? [t.name] : [])) : []
}

/**
 * Which tools a chat may use: every tool of the healthy servers, or of some servers, or some tools;
 * `"discover"`: those of `"auto"`, searched and called through `search_tools` and `call_tool`.
 */
export type ToolSelection = { tools?: 'auto' | 'discover' | string[]; servers?: string[] }
