import type { ServerRow } from '../../db/schema'
import type { McpTarget } from '../mcp'
import type { ServerRepository } from './repository'

/**
 * How the MCP thread reaches a registered server, or undefined for one that answers plain HTTP (a
 * `/health` check, no MCP): it has no tools. An `auto` server goes over the transport its last check
 * found, streamable HTTP before any check (what `auto` tries first).
 */
export function targetOf(
  row: ServerRow,
  repo: Pick<ServerRepository, 'headersOf' | 'stdioOf' | 'oauthOf'>,
): McpTarget | undefined {
  const transport = row.transport === 'auto' ? (row.activeTransport ?? 'streamable-http') : row.transport
  if (transport === 'http') return undefined
  if (transport !== 'stdio') {
    const oauth = repo.oauthOf(row)
    return { id: row.id, url: row.url, transport, headers: repo.headersOf(row), ...(oauth ? { oauth } : {}) }
  }
  const stdio = repo.stdioOf(row)
  return stdio && { id: row.id, transport, generation: row.generation, stdio }
}
