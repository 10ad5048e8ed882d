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

/**
 * Each server's target as of its row's last write: a call does not read the row and open its secrets
 * again (a row read and its JSON columns were a tenth of a gateway call's work). Checks rewrite a
 * row every interval, so a target is rebuilt that often at most.
 */
export function createTargetCache(
  repo: Pick<ServerRepository, 'get' | 'revisionOf' | 'headersOf' | 'stdioOf' | 'oauthOf'>,
) {
  const kept = new Map<string, { revision: number; row: ServerRow; target: McpTarget | undefined }>()
  /** The server's row and target, or undefined when it is not registered. */
  return (id: string) => {
    const revision = repo.revisionOf(id)
    const hit = kept.get(id)
    if (hit?.revision === revision) return hit
    // Whatever else was written since goes too: a removed server's secrets are not kept until its id
    // is asked for again (misses come with checks, every interval, so this stays cheap).
    for (const [other, entry] of kept) if (entry.revision !== repo.revisionOf(other)) kept.delete(other)
    const row = repo.get(id)
    if (!row) return undefined
    const fresh = { revision, row, target: targetOf(row, repo) }
    kept.set(id, fresh)
    return fresh
  }
}
