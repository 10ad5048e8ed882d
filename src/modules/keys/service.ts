import type { ApiKeyRow } from '../../db/schema'
import { msToSeconds, msToSecondsOrNull } from '../../shared/time'
import type { KeyRepository } from '../auth/keys.repository'
import { keyNotFound, roleRequired, unknownToolset } from './errors'
import type { CreatedKey, CreateKeyBody, KeyInfo } from './model'

export type KeyService = ReturnType<typeof createKeyService>

/**
 * API keys as `/keys` and `automcp keys` make them: the same repository, the same rules. A key limited
 * to a toolset names one that exists, and is a read key unless told otherwise (the gateway lets any key
 * that reaches /mcp/<toolset> call its tools; the role matters nowhere else it can go).
 */
export function createKeyService({
  keys,
  toolsetExists,
  now = Date.now,
}: {
  keys: KeyRepository
  toolsetExists: (name: string) => boolean
  now?: () => number
}) {
  return {
    /** Every stored key, revoked ones included, oldest first. */
    list: (): KeyInfo[] => keys.list().map(toKeyInfo),

    create({ name, role, toolset }: CreateKeyBody): CreatedKey {
      if (toolset !== undefined && !toolsetExists(toolset)) throw unknownToolset(toolset)
      const chosen = role ?? (toolset !== undefined ? 'read' : undefined)
      if (!chosen) throw roleRequired()
      const { key, row } = keys.create(name, chosen, { toolset: toolset ?? null, now: now() })
      return { ...toKeyInfo(row), key }
    },

    /** A running server refuses the key at once and closes its sockets within a second. */
    revoke(id: string): void {
      if (!keys.revoke(id, now())) throw keyNotFound(id)
    },
  }
}

function toKeyInfo(row: ApiKeyRow): KeyInfo {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    toolset: row.toolset,
    prefix: row.prefix,
    created_at: msToSeconds(row.createdAt),
    last_used_at: msToSecondsOrNull(row.lastUsedAt),
    revoked_at: msToSecondsOrNull(row.revokedAt),
  }
}
