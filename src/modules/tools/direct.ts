import { roundMs } from '../../shared/time'
import type { McpTool } from '../mcp'
import { serverNotFound } from '../servers/errors'
import type { ServerRepository } from '../servers/repository'
import { targetOf } from '../servers/target'
import type { ToolCatalog, ToolTransport } from './catalog'
import { noResult, notAnMcpServer, toolNotFound } from './errors'
import { failureOf } from './failures'

export type DirectTools = ReturnType<typeof createDirectTools>

/**
 * Any registered MCP server's tools, listed and called one at a time (the MCP Inspector's "call a tool"),
 * whatever the server's status: over its live MCP session, within the tool timeout. Each call goes
 * through the catalog, so it is timed, counted and recorded like a chat's, as `direct`.
 */
export function createDirectTools({
  repo,
  transport,
  catalog,
}: {
  repo: Pick<ServerRepository, 'get' | 'headersOf' | 'stdioOf' | 'oauthOf'>
  transport: Pick<ToolTransport, 'tools'>
  catalog: Pick<ToolCatalog, 'call' | 'callTimeoutMs'>
}) {
  const timeoutMs = catalog.callTimeoutMs

  /** The server's row and its tools as its live session lists them; an HTTP error when there are none. */
  async function listed(serverId: string, signal: AbortSignal) {
    const row = repo.get(serverId)
    if (!row) throw serverNotFound()
    const target = targetOf(row, repo)
    if (!target) throw notAnMcpServer(row.name)
    const started = performance.now()
    try {
      return { row, tools: await transport.tools(target, timeoutMs, signal) }
    } catch (e) {
      const { message } = e as Error
      const failure = failureOf(message, performance.now() - started, timeoutMs)
      throw noResult(failure, `Listing the tools of ${row.name} failed: ${message}`)
    }
  }

  return {
    /** `GET /servers/{id}/tools`. */
    async list(serverId: string, signal: AbortSignal) {
      const { tools } = await listed(serverId, signal)
      return { data: tools.map(toolInfo) }
    },

    /** `POST /servers/{id}/tools/{name}/call`: a tool that reports an error is a result, not a failure. */
    async call(serverId: string, tool: string, args: Record<string, unknown>, signal: AbortSignal) {
      const { row, tools } = await listed(serverId, signal)
      if (!tools.some((t) => t.name === tool)) throw toolNotFound(row.name, tool)
      const outcome = await catalog.call({ serverId, serverName: row.name, tool }, args, signal, 'direct')
      if (outcome.failure) throw noResult(outcome.failure, outcome.error ?? 'The tool call failed')
      return {
        ok: outcome.ok,
        is_error: !outcome.ok,
        content: outcome.content,
        structured_content: outcome.structuredContent ?? null,
        latency_ms: roundMs(outcome.latencyMs),
      }
    },
  }
}

const toolInfo = (t: McpTool) => ({
  name: t.name,
  description: t.description ?? null,
  input_schema: t.inputSchema,
})
