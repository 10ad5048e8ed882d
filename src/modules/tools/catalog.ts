import type { ToolCallSource } from '../../shared/domain'
import type { Logger } from '../../shared/logger'
import { roundMs } from '../../shared/time'
import type { GatewayCallLink, McpThread, ToolCallResult } from '../mcp'
import type { ServerRepository } from '../servers/repository'
import { createTargetCache, targetOf } from '../servers/target'
import type { ToolCallLog } from './call-log'
import { type CallFailure, failureOf } from './failures'
import { cancelledCall } from './repository'
import {
  nameTools,
  offersTools,
  pickTools,
  type ToolEntry,
  ToolSelectionError,
  usableTools,
} from './selection'

export type { FunctionTool, ToolEntry, ToolSet } from './selection'
export { ToolSelectionError } from './selection'

import type { ToolSelection } from './selection'

export type { ToolSelection } from './selection'

/** A call's result; `error` and `failure` when it got none (not when the tool reported an error). */
export type CallOutcome = ToolCallResult & { latencyMs: number; error?: string; failure?: CallFailure }

/** The tool a call is for: a chat's entry, or a direct call's server and tool. */
export type CallTarget = Pick<ToolEntry, 'serverId' | 'serverName' | 'tool'>

/** What the catalog needs of the MCP client: the MCP thread's handle, which makes or passes on the calls. */
export type ToolTransport = Pick<McpThread, 'tools' | 'callTool'>

export class UnknownServers extends ToolSelectionError {
  constructor(readonly ids: string[]) {
    super('unknown_server', `No registered server with id ${ids.map((id) => JSON.stringify(id)).join(', ')}`)
  }
}

// Listing comes from the live session and normally answers at once; a server that cannot list its
// tools quickly is left out of this chat rather than holding it up.
const listTimeoutMs = 5_000

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
  repo: Pick<ServerRepository, 'list' | 'get' | 'revisionOf' | 'headersOf' | 'stdioOf' | 'oauthOf'>
  transport: ToolTransport
  calls: Pick<ToolCallLog, 'record'>
  callTimeoutMs: number
  logger: Logger
  /** Every call made, with its duration in seconds (for /metrics). */
  observe?: (outcome: 'ok' | 'error' | 'cancelled', seconds: number, source: ToolCallSource) => void
  now?: () => number
}) {
  const targets = createTargetCache(repo)

  /**
   * The tools a selection offers. `maxTools`: more than this is a `too_many_tools` error rather than a
   * request the upstream refuses (OpenAI takes 128 at most); `signal` stops waiting for listings.
   */
  async function select(
    selection: ToolSelection = {},
    { maxTools = Number.POSITIVE_INFINITY, signal }: { maxTools?: number; signal?: AbortSignal } = {},
  ) {
    const rows = repo.list()
    if (selection.servers) {
      const known = new Set(rows.map((r) => r.id))
      const missing = selection.servers.filter((id) => !known.has(id))
      if (missing.length > 0) throw new UnknownServers(missing)
    }
    const wanted = selection.servers && new Set(selection.servers)
    // Secrets are opened once per server offered, and not at all for the others.
    const usable = rows
      .filter((r) => offersTools(r) && (!wanted || wanted.has(r.id)))
      .flatMap((row) => {
        const target = targetOf(row, repo)
        return target ? [{ row, target }] : []
      })
    const listed = await Promise.all(
      usable.map(async ({ row, target }) => {
        try {
          const tools = await transport.tools(target, listTimeoutMs, signal)
          return {
            row,
            tools: usableTools(tools, (tool) =>
              logger.warn('tool left out: its input schema is over 64 KB', { server: row.id, tool }),
            ),
          }
        } catch (e) {
          logger.warn('tools left out: the server did not list them', { server: row.id, error: String(e) })
          return { row, tools: [] }
        }
      }),
    )
    return pickTools(nameTools(rows, listed), selection.tools, maxTools)
  }

  /**
   * Calls the tool on its server and records the call as made for `source`; a server that vanished,
   * failed or timed out is an error result (with its `failure`).
   */
  async function call(
    entry: CallTarget,
    args: Record<string, unknown>,
    signal: AbortSignal,
    source: ToolCallSource,
    /** A gateway call's link to its MCP client (progress, the server's requests of the client). */
    link?: GatewayCallLink,
  ): Promise<CallOutcome> {
    const started = performance.now()
    const target = targets(entry.serverId)?.target
    if (!target) return failure(`The server ${entry.serverId} is no longer registered`, 0, 'removed')
    let outcome: CallOutcome
    try {
      const result = await transport.callTool(target, entry.tool, args, callTimeoutMs, signal, link)
      outcome = { ...result, latencyMs: performance.now() - started }
    } catch (e) {
      const { message } = e as Error
      const latencyMs = performance.now() - started
      outcome = failure(
        `The tool call to ${entry.serverName} failed: ${message}`,
        latencyMs,
        failureOf(message, latencyMs, callTimeoutMs),
      )
    }
    // The server saw the call even when the chat was cancelled meanwhile: it is recorded as such.
    const cancelled = signal.aborted
    observe(cancelled ? 'cancelled' : outcome.ok ? 'ok' : 'error', outcome.latencyMs / 1000, source)
    calls.record({
      serverId: entry.serverId,
      tool: entry.tool,
      source,
      ok: outcome.ok && !cancelled,
      latencyMs: roundMs(outcome.latencyMs),
      error: cancelled ? cancelledCall : (outcome.error ?? null),
      calledAt: now(),
    })
    return outcome
  }

  return { select, call, callTimeoutMs }
}

const failure = (message: string, latencyMs: number, why: CallFailure): CallOutcome => ({
  ok: false,
  content: [{ type: 'text', text: message }],
  latencyMs,
  error: message,
  failure: why,
})
