import type { ServerRow } from '../../db/schema'
import type { Logger } from '../../shared/logger'
import { roundMs } from '../../shared/time'
import type { McpTarget, McpThread, McpTool, ToolCallResult } from '../mcp'
import type { ServerRepository } from '../servers/repository'
import { assignNames } from './names'
import { cancelledCall, type ToolCallRepository } from './repository'

/** One MCP tool offered to the model, under the function name it sees. */
export type ToolEntry = {
  name: string
  serverId: string
  serverName: string
  tool: string
  description?: string
  inputSchema: Record<string, unknown>
}

/** An OpenAI function tool, as sent to the upstream. */
export type FunctionTool = {
  type: 'function'
  function: { name: string; description?: string; parameters: Record<string, unknown> }
}

export type ToolSet = { entries: ToolEntry[]; definitions: FunctionTool[]; byName: Map<string, ToolEntry> }

/** Which tools a chat may use: every tool of the healthy servers, or of some servers, or some tools. */
export type ToolSelection = { tools?: 'auto' | string[]; servers?: string[] }

export type CallOutcome = ToolCallResult & { latencyMs: number; error?: string }

/** What the catalog needs of the MCP thread, which holds the MCP sessions. */
export type ToolTransport = Pick<McpThread, 'tools' | 'callTool'>

/** A chat's choice of tools that cannot be met; `code` is what the chat reports. */
export class ToolSelectionError extends Error {
  constructor(
    readonly code: 'unknown_server' | 'too_many_tools',
    message: string,
  ) {
    super(message)
  }
}

export class UnknownServers extends ToolSelectionError {
  constructor(readonly ids: string[]) {
    super('unknown_server', `No registered server with id ${ids.map((id) => JSON.stringify(id)).join(', ')}`)
  }
}

// Listing comes from the live session and normally answers at once; a server that cannot list its
// tools quickly is left out of this chat rather than holding it up.
const listTimeoutMs = 5_000
// A schema this large is a mistake or an attack, and would eat the model's context on every request.
const maxSchemaBytes = 64 * 1024

export type ToolCatalog = ReturnType<typeof createToolCatalog>

/**
 * The tools of the servers that are healthy now (degraded ones too: slow is not broken), read from their
 * live MCP sessions, and the one way to call them: every call is timed, recorded and never throws.
 */
export function createToolCatalog({
  repo,
  transport,
  calls,
  callTimeoutMs,
  logger,
  observe = () => {},
  now = Date.now,
}: {
  repo: Pick<ServerRepository, 'list' | 'get' | 'headersOf'>
  transport: ToolTransport
  calls: ToolCallRepository
  callTimeoutMs: number
  logger: Logger
  /** Every call made, with its duration in seconds (for /metrics). */
  observe?: (outcome: 'ok' | 'error' | 'cancelled', seconds: number) => void
  now?: () => number
}) {
  /**
   * The tools a selection offers. `maxTools`: more than this is a `too_many_tools` error rather than a
   * request the upstream refuses (OpenAI takes 128 at most); `signal` stops waiting for listings.
   */
  async function select(
    selection: ToolSelection = {},
    { maxTools = Number.POSITIVE_INFINITY, signal }: { maxTools?: number; signal?: AbortSignal } = {},
  ): Promise<ToolSet> {
    const rows = repo.list()
    if (selection.servers) {
      const known = new Set(rows.map((r) => r.id))
      const missing = selection.servers.filter((id) => !known.has(id))
      if (missing.length > 0) throw new UnknownServers(missing)
    }
    const wanted = selection.servers && new Set(selection.servers)
    // Degraded for being slow still works; degraded for wanting credentials (401/403) does not.
    const usable = rows.filter(
      (r) =>
        (r.status === 'healthy' || (r.status === 'degraded' && r.statusReason === 'slow')) &&
        targetOf(r) &&
        (!wanted || wanted.has(r.id)),
    )
    const listed = await Promise.all(
      usable.map(async (row) => {
        try {
          const tools = await transport.tools(targetOf(row) as McpTarget, listTimeoutMs, signal)
          return { row, tools: usableTools(row, tools) }
        } catch (e) {
          logger.warn('tools left out: the server did not list them', { server: row.id, error: String(e) })
          return { row, tools: [] }
        }
      }),
    )
    // Names are given over every registered server's tools (the live list where there is one, else the
    // last one a check saw), not just this selection's, so a tool keeps its name whatever a chat selects
    // and whichever other servers are healthy at the moment.
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
    const named: ToolEntry[] = listed.flatMap(({ row, tools }) =>
      tools.map((t) => ({
        name: nameOf.get(`${row.id}\0${t.name}`) as string,
        serverId: row.id,
        serverName: row.name,
        tool: t.name,
        description: t.description,
        inputSchema: t.inputSchema,
      })),
    )
    const names = Array.isArray(selection.tools) ? new Set(selection.tools) : undefined
    // A listed name is the function name the model sees or the tool's own name (on any server).
    const picked = names ? named.filter((e) => names.has(e.name) || names.has(e.tool)) : named
    if (picked.length > maxTools)
      throw new ToolSelectionError(
        'too_many_tools',
        `${picked.length} tools would be offered, more than ${maxTools} (AUTOMCP_MAX_TOOLS): choose some with "servers" or "tools"`,
      )
    return {
      entries: picked,
      definitions: picked.map((e) => ({
        type: 'function',
        function: {
          name: e.name,
          ...(e.description ? { description: e.description } : {}),
          parameters: e.inputSchema,
        },
      })),
      byName: new Map(picked.map((e) => [e.name, e])),
    }
  }

  /** Calls the tool on its server; a server that vanished, failed or timed out is an error result. */
  async function call(
    entry: ToolEntry,
    args: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<CallOutcome> {
    const started = performance.now()
    const row = repo.get(entry.serverId)
    const target = row && targetOf(row)
    if (!target) return failure(`The server ${entry.serverId} is no longer registered`, 0)
    let outcome: CallOutcome
    try {
      const result = await transport.callTool(target, entry.tool, args, callTimeoutMs, signal)
      outcome = { ...result, latencyMs: performance.now() - started }
    } catch (e) {
      outcome = failure(
        `The tool call to ${entry.serverName} failed: ${(e as Error).message}`,
        performance.now() - started,
      )
    }
    // The server saw the call even when the chat was cancelled meanwhile: it is recorded as such.
    const cancelled = signal.aborted
    observe(cancelled ? 'cancelled' : outcome.ok ? 'ok' : 'error', outcome.latencyMs / 1000)
    try {
      calls.record({
        serverId: entry.serverId,
        tool: entry.tool,
        ok: outcome.ok && !cancelled,
        latencyMs: roundMs(outcome.latencyMs),
        error: cancelled ? cancelledCall : (outcome.error ?? null),
        calledAt: now(),
      })
    } catch (e) {
      // Removed meanwhile (the foreign key refuses the row): the chat goes on.
      logger.warn('tool call not recorded', { server: entry.serverId, error: String(e) })
    }
    return outcome
  }

  /** A server's tools as they can be offered: each name once, no giant schema. */
  function usableTools(row: ServerRow, tools: McpTool[]): McpTool[] {
    const seen = new Set<string>()
    return tools.filter((t) => {
      if (seen.has(t.name)) return false
      seen.add(t.name)
      if (JSON.stringify(t.inputSchema ?? {}).length <= maxSchemaBytes) return true
      logger.warn('tool left out: its input schema is over 64 KB', { server: row.id, tool: t.name })
      return false
    })
  }

  return { select, call }

  function targetOf(row: ServerRow): McpTarget | undefined {
    const transport = row.transport === 'auto' ? (row.activeTransport ?? 'streamable-http') : row.transport
    if (transport === 'http') return undefined // answers HTTP, not MCP: no tools
    return { id: row.id, url: row.url, transport, headers: repo.headersOf(row) }
  }
}

/** The tool names the last successful check of a server listed. */
function checkedToolNames(row: ServerRow): string[] {
  const tools = (row.capabilities as { tools?: unknown }).tools
  return Array.isArray(tools) ? tools.flatMap((t) => (typeof t?.name === 'string' ? [t.name] : [])) : []
}

const failure = (message: string, latencyMs: number): CallOutcome => ({
  ok: false,
  content: [{ type: 'text', text: message }],
  latencyMs,
  error: message,
})
