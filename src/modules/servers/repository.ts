import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { type NewServerRow, type ServerRow, servers } from '../../db/schema'
import type { SecretBox } from '../../shared/secrets'
import { endpointMoved } from './endpoint'

/** The fields a user sets; everything else is owned by AutoMCP. `headers` in plain text here only. */
export type ServerSettings = Required<
  Pick<
    NewServerRow,
    | 'name'
    | 'url'
    | 'transport'
    | 'intervalS'
    | 'timeoutMs'
    | 'failureThreshold'
    | 'successThreshold'
    | 'tags'
  >
> & { headers: Record<string, string> }

// A changed endpoint makes the last check meaningless: forget it rather than show a stale status.
const resetCheckState = {
  status: 'unknown',
  statusReason: null,
  capabilities: {},
  latencyMs: null,
  lastCheckedAt: null,
  activeTransport: null,
} as const

export type CheckState = {
  /** The row's `generation` when the check began: the state is stored only if it still has it. */
  generation: number
  status: ServerRow['status']
  reason: string | null
  latencyMs: number | null
  checkedAt: number
  transport?: ServerRow['activeTransport']
  capabilities?: Record<string, unknown>
}

export type ServerRepository = ReturnType<typeof createServerRepository>

/**
 * All reads and writes of the `servers` table; it remembers which rows it wrote, for the list cache.
 * Header values are sealed on the way in and opened only for the check that sends them.
 */
export function createServerRepository(db: Db, box: SecretBox) {
  let changed = new Set<string>()
  // Kept by hand from one count at start: only this process writes `servers`.
  let count = db.select({ n: sql<number>`count(*)` }).from(servers).get()?.n ?? 0
  // Generations are numbered across all servers, not per row, so a server deleted and registered again
  // under its id never gets back the number a check of its old registration still carries.
  let generation =
    db
      .select({ g: sql<number>`coalesce(max(${servers.generation}), 0)` })
      .from(servers)
      .get()?.g ?? 0
  const nextGeneration = () => ++generation
  const sealed = <T extends { headers?: Record<string, string> }>(id: string, settings: T) => {
    const { headers, ...rest } = settings
    if (headers === undefined) return rest
    const names = Object.keys(headers)
    // Nothing to hide in no headers: `{}` is stored as it is (and registration skips a cipher).
    if (names.length === 0) return { ...rest, headers: '{}', headerNames: names }
    return { ...rest, headers: box.seal(JSON.stringify(headers), id), headerNames: names }
  }
  sealLegacyHeaders(db, box)
  // Registration is the hot write path: its statements are prepared once. Only this process writes
  // `servers` and bun:sqlite is synchronous, so the read-then-write below cannot interleave.
  const p = sql.placeholder
  const settingsParams = {
    name: p('name'),
    url: p('url'),
    transport: p('transport'),
    headers: p('headers'),
    headerNames: p('headerNames'),
    intervalS: p('intervalS'),
    timeoutMs: p('timeoutMs'),
    failureThreshold: p('failureThreshold'),
    successThreshold: p('successThreshold'),
    tags: p('tags'),
    updatedAt: p('now'),
  }
  const byId = db
    .select()
    .from(servers)
    .where(eq(servers.id, p('id')))
    .prepare()
  const endpointOf = db
    .select({
      url: servers.url,
      transport: servers.transport,
      headers: servers.headers,
      headerNames: servers.headerNames,
    })
    .from(servers)
    .where(eq(servers.id, p('id')))
    .prepare()
  const plainHeaders = (id: string, row: Pick<ServerRow, 'headers' | 'headerNames'>) =>
    // Most servers have none: no need to open anything for each of their checks.
    row.headerNames.length === 0 ? {} : (JSON.parse(box.open(row.headers, id)) as Record<string, string>)
  const endpoint = (id: string, row: Pick<ServerRow, 'url' | 'transport' | 'headers' | 'headerNames'>) => ({
    url: row.url,
    transport: row.transport,
    headers: plainHeaders(id, row),
  })
  const insert = db
    .insert(servers)
    .values({ ...settingsParams, id: p('id'), createdAt: p('now'), generation: p('generation') })
    .prepare()
  // drizzle types placeholders for insert values only; update's `set` binds them the same way.
  const settingsSet = settingsParams as unknown as Partial<NewServerRow>
  const replace = db
    .update(servers)
    .set(settingsSet)
    .where(eq(servers.id, p('id')))
    .prepare()
  const replaceAndReset = db
    .update(servers)
    .set({ ...settingsSet, ...resetCheckState, generation: p('generation') as unknown as number })
    .where(eq(servers.id, p('id')))
    .prepare()
  const stateParams = {
    status: p('status'),
    statusReason: p('reason'),
    latencyMs: p('latencyMs'),
    lastCheckedAt: p('checkedAt'),
    activeTransport: sql`coalesce(${p('transport')}, ${servers.activeTransport})`,
  } as unknown as Partial<NewServerRow>
  const ofGeneration = and(eq(servers.id, p('id')), eq(servers.generation, p('generation')))
  const saveState = db
    .update(servers)
    .set(stateParams)
    .where(ofGeneration)
    .returning({ id: servers.id })
    .prepare()
  const saveStateAndCapabilities = db
    .update(servers)
    .set({ ...stateParams, capabilities: p('capabilities') as unknown as Record<string, unknown> })
    .where(ofGeneration)
    .returning({ id: servers.id })
    .prepare()
  const written = <T>(id: string, result: T): T => {
    changed.add(id)
    return result
  }

  return {
    /** The ids written since the last call: what a cache of rows must reload. */
    takeChanged(): Set<string> {
      const ids = changed
      changed = new Set()
      return ids
    },

    /** Every server, oldest first. */
    list(): ServerRow[] {
      return db.select().from(servers).orderBy(servers.createdAt, servers.id).all()
    },

    get(id: string): ServerRow | undefined {
      return byId.get({ id })
    },

    /** The headers to send to the server, in plain text: for the check, never for a response. */
    headersOf(row: ServerRow): Record<string, string> {
      return plainHeaders(row.id, row)
    },

    /**
     * Creates or replaces the user's settings of `id`; says which it did. A new server, or one whose
     * endpoint changed, gets a new generation and no check state.
     */
    upsert(id: string, settings: ServerSettings, now: number): { created: boolean } {
      const old = endpointOf.get({ id })
      const values = { ...sealed(id, settings), id, now }
      if (!old) {
        insert.run({ ...values, generation: nextGeneration() })
        count++
      } else if (endpointMoved(endpoint(id, old), settings))
        replaceAndReset.run({ ...values, generation: nextGeneration() })
      else replace.run(values)
      return written(id, { created: !old })
    },

    /** Changes some settings; returns the updated row, or undefined when there is no such server. */
    patch(id: string, changes: Partial<ServerSettings>, now: number): ServerRow | undefined {
      return written(
        id,
        db.transaction((tx) => {
          const old = endpointOf.get({ id })
          if (!old) return undefined
          const reset = endpointMoved(endpoint(id, old), changes)
            ? { ...resetCheckState, generation: nextGeneration() }
            : {}
          return tx
            .update(servers)
            .set({ ...sealed(id, changes), ...reset, updatedAt: now })
            .where(eq(servers.id, id))
            .returning()
            .get()
        }),
      )
    },

    /** Stores what a check found; false when the server no longer exists or has changed since. */
    saveCheckState(id: string, state: CheckState): boolean {
      const params = { id, ...state, transport: state.transport ?? null }
      const row = state.capabilities ? saveStateAndCapabilities.get(params) : saveState.get(params)
      return written(id, row !== undefined)
    },

    /** Deletes the server; its check history goes with it (ON DELETE CASCADE). */
    remove(id: string): boolean {
      const removed =
        db.delete(servers).where(eq(servers.id, id)).returning({ id: servers.id }).all().length > 0
      if (removed) count--
      return written(id, removed)
    },

    /** How many servers have each status (for /metrics). */
    countByStatus(): { status: ServerRow['status']; n: number }[] {
      return db
        .select({ status: servers.status, n: sql<number>`count(*)` })
        .from(servers)
        .groupBy(servers.status)
        .all()
    },

    /** Whether registering `id` would add a server beyond `max`. */
    isFullFor(id: string, max: number): boolean {
      return count >= max && !endpointOf.get({ id })
    },
  }
}

/**
 * Rows written before headers were sealed hold them as JSON: seal them now, in one transaction. Also
 * proves the key opens what is stored, so a wrong AUTOMCP_SECRET_KEY stops start-up instead of every check.
 */
function sealLegacyHeaders(db: Db, box: SecretBox) {
  const rows = db.select({ id: servers.id, headers: servers.headers }).from(servers).all()
  const sample = rows.find((r) => box.isSealed(r.headers))
  if (sample) box.open(sample.headers, sample.id)
  const legacy = rows.filter((r) => !box.isSealed(r.headers) && r.headers !== '{}')
  if (legacy.length === 0) return
  db.transaction((tx) => {
    for (const { id, headers } of legacy) {
      const plain = JSON.parse(headers) as Record<string, string>
      tx.update(servers)
        .set({ headers: box.seal(headers, id), headerNames: Object.keys(plain) })
        .where(eq(servers.id, id))
        .run()
    }
  })
}

/** Whether any stored value is sealed already: then the key that sealed it must be there to open it. */
export const hasSealedValues = (db: Db): boolean =>
  db.select({ id: servers.id }).from(servers).where(sql`${servers.headers} LIKE 'v1:%'`).limit(1).all()
    .length > 0
