import type { ToolsetRow } from '../../db/schema'
import { msToSeconds } from '../../shared/time'
import {
  reservedToolsetNames,
  toolNameCollision,
  toolsetExists,
  toolsetInUse,
  toolsetNameReserved,
  toolsetNotFound,
  unknownServer,
} from './errors'
import type { CreateToolsetBody, PatchToolsetBody, ToolsetInfo } from './model'
import type { ToolsetRepository, ToolsetSettings } from './repository'

/** A stored toolset, as the gateway reads it (see selection.ts for what it selects). */
export type Toolset = ToolsetRow
/** A toolset about to be saved: what the collision check looks at. */
export type ToolsetDraft = Pick<ToolsetRow, 'name'> & ToolsetSettings

export type ToolsetService = ReturnType<typeof createToolsetService>

/** Toolsets: created, listed, changed and deleted, each change checked against the registry and the keys. */
export function createToolsetService({
  repo,
  hasServer,
  keysLimitedTo,
  collisions = async () => [],
  onChange = () => {},
  now = Date.now,
}: {
  repo: ToolsetRepository
  /** Whether a server with this id is registered. */
  hasServer: (id: string) => boolean
  /** How many live API keys are limited to the toolset of this name. */
  keysLimitedTo: (name: string) => number
  /** The tool names two or more of the draft's servers would offer unprefixed (asked when `prefix` is false). */
  collisions?: (toolset: ToolsetDraft) => Promise<string[]>
  /** A toolset was created, changed or deleted: its sessions' lists may have changed. */
  onChange?: (name: string) => void
  now?: () => number
}) {
  const find = (name: string) => {
    const row = repo.byName(name)
    if (!row) throw toolsetNotFound(name)
    return row
  }
  const checkServers = (ids: string[] | null | undefined) => {
    const unknown = (ids ?? []).filter((id) => !hasServer(id))
    if (unknown.length > 0) throw unknownServer(unknown)
  }
  const checkCollisions = async (draft: ToolsetDraft) => {
    if (draft.prefix) return
    const names = await collisions(draft)
    if (names.length > 0) throw toolNameCollision(names)
  }

  return {
    list: (): ToolsetInfo[] => repo.list().map(toToolsetInfo),

    get: (name: string): ToolsetInfo => toToolsetInfo(find(name)),

    async create(body: CreateToolsetBody): Promise<ToolsetInfo> {
      if ((reservedToolsetNames as readonly string[]).includes(body.name))
        throw toolsetNameReserved(body.name)
      checkServers(body.servers)
      if (repo.byName(body.name)) throw toolsetExists(body.name)
      const settings: ToolsetSettings = {
        description: body.description ?? null,
        servers: distinct(body.servers),
        tags: distinct(body.tags),
        tools: distinct(body.tools),
        prefix: body.prefix ?? true,
        discovery: body.discovery ?? false,
      }
      await checkCollisions({ name: body.name, ...settings })
      // Another create of the same name may have landed while the collision check ran.
      const row = repo.insert(body.name, settings, now())
      if (!row) throw toolsetExists(body.name)
      onChange(row.name)
      return toToolsetInfo(row)
    },

    async patch(name: string, body: PatchToolsetBody): Promise<ToolsetInfo> {
      const current = find(name)
      checkServers(body.servers)
      const changes: Partial<ToolsetSettings> = { ...body }
      for (const key of ['servers', 'tags', 'tools'] as const)
        if (body[key] !== undefined) changes[key] = distinct(body[key])
      await checkCollisions({ ...current, ...changes })
      const row = repo.update(name, changes, now())
      if (!row) throw toolsetNotFound(name) // deleted while the collision check ran
      onChange(name)
      return toToolsetInfo(row)
    },

    remove(name: string): void {
      find(name)
      const keys = keysLimitedTo(name)
      if (keys > 0) throw toolsetInUse(name, keys)
      if (!repo.remove(name)) throw toolsetNotFound(name)
      onChange(name)
    },
  }
}

/** Each item once, in the order first given; null stays null (everything). */
const distinct = (items: string[] | null | undefined): string[] | null => (items ? [...new Set(items)] : null)

export function toToolsetInfo(row: ToolsetRow): ToolsetInfo {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    servers: row.servers,
    tags: row.tags,
    tools: row.tools,
    prefix: row.prefix,
    discovery: row.discovery,
    created_at: msToSeconds(row.createdAt),
    updated_at: msToSeconds(row.updatedAt),
  }
}
