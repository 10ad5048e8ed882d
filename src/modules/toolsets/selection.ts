import type { ToolsetRow } from '../../db/schema'

// What a toolset serves, as pure functions the gateway applies to the registry and the live tool lists.

/** What selection needs of a toolset: absent (null) lists select everything. */
export type ToolsetSelection = Pick<ToolsetRow, 'servers' | 'tags' | 'tools'>

/**
 * A server is in the toolset when `servers` is absent or lists its id, AND `tags` is absent or the
 * server has at least one of them. An empty list selects nothing.
 */
export function selectsServer(
  toolset: Pick<ToolsetSelection, 'servers' | 'tags'>,
  server: { id: string; tags: readonly string[] },
): boolean {
  if (toolset.servers && !toolset.servers.includes(server.id)) return false
  if (toolset.tags && !server.tags.some((tag) => toolset.tags?.includes(tag))) return false
  return true
}

/**
 * Of a selected server's tools, those the toolset keeps: all when `tools` is absent, else those it names
 * by their own name (`echo`, on every selected server that has one), by the prefixed name the gateway
 * gives them (`prefixedName`, sanitised and unique), or as `<server name>__<tool>` written out.
 */
export function selectsTool(
  toolset: Pick<ToolsetSelection, 'tools'>,
  serverName: string,
  toolName: string,
  prefixedName: string,
): boolean {
  const names = toolset.tools
  if (!names) return true
  return (
    names.includes(toolName) || names.includes(prefixedName) || names.includes(`${serverName}__${toolName}`)
  )
}
