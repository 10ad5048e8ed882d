import { and, eq, isNotNull, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { type NewServerRow, type ServerRow, servers } from '../../db/schema'
import type { OAuthConfig } from '../../shared/domain'
import type { SecretBox } from '../../shared/secrets'
import { endpointMoved } from './endpoint'
import { sealLegacyHeaders } from './headers'
import type { OAuthChange } from './oauth-seal'
import { prepareServerStatements, resetCheckState } from './repository.statements'
import { createServerSecrets } from './secrets'

export { hasSealedValues } from './headers'

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
> & { headers: Record<string, string> } & Partial<StdioSettings> & { oauth?: OAuthConfig | null }

/** A stdio server's program; a server registered without them has none (the defaults below). */
type StdioSettings = Required<Pick<NewServerRow, 'command' | 'args' | 'cwd'>> & {
  env: Record<string, string>
}
const noStdio: StdioSettings = { command: null, args: [], cwd: null, env: {} }

export type CheckState = {
  /** The row's `generation` when the check began: the state is stored only if it still has it. */
  generation: number
  status: ServerRow['status']
  reason: string | null
  latencyMs: number | null
  /** The handshake of the session the check used; null keeps the one stored (no session, or a failure). */
  handshakeMs?: number | null
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
  // Each row's last write, numbered across rows: what a cache of something read from a row compares.
  const revisions = new Map<string, number>()
  let writes = 0
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
  sealLegacyHeaders(db, box)
  // Only this process writes `servers` and bun:sqlite is synchronous, so the read-then-write below
  // cannot interleave.
  const { byId, endpointOf, insert, replace, replaceAndReset, saveState, saveStateAndCapabilities } =
    prepareServerStatements(db)
  const secrets = createServerSecrets(box)
  /** Writes `columns` if the row still has `generation`: what a registration since must not get. */
  const setOfGeneration = (id: string, generation: number, columns: Partial<NewServerRow>) => {
    const row = db
      .update(servers)
      .set(columns)
      .where(and(eq(servers.id, id), eq(servers.generation, generation)))
      .returning({ id: servers.id })
      .get()
    return written(id, row !== undefined)
  }
  const written = <T>(id: string, result: T): T => {
    changed.add(id)
    revisions.set(id, ++writes)
    return result
  }

  return {
    /** The ids written since the last call: what a cache of rows must reload. */
    takeChanged(): Set<string> {
      const ids = changed
      changed = new Set()
      return ids
    },

    /** A number that changes whenever `id`'s row is written (0: not since start). */
    revisionOf: (id: string): number => revisions.get(id) ?? 0,

    /** Every server, oldest first. */
    list(): ServerRow[] {
      return db.select().from(servers).orderBy(servers.createdAt, servers.id).all()
    },

    get(id: string): ServerRow | undefined {
      return byId.get({ id })
    },

    headersOf: secrets.headersOf,
    stdioOf: secrets.stdioOf,
    oauthOf: secrets.oauthOf,

    /**
     * Creates or replaces the user's settings of `id`; says which it did. A new server, or one whose
     * endpoint changed, gets a new generation and no check state.
     */
    upsert(id: string, settings: ServerSettings, now: number): { created: boolean } {
      const old = endpointOf.get({ id })
      const values = { ...secrets.seal(id, { ...noStdio, oauth: null, ...settings }), id, now }
      if (!old) {
        insert.run({ ...values, generation: nextGeneration() })
        count++
      } else if (endpointMoved(secrets.endpointOf(id, old), settings))
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
          const reset = endpointMoved(secrets.endpointOf(id, old), changes)
            ? { ...resetCheckState, generation: nextGeneration() }
            : {}
          return tx
            .update(servers)
            .set({ ...secrets.seal(id, changes), ...reset, updatedAt: now })
            .where(eq(servers.id, id))
            .returning()
            .get()
        }),
      )
    },

    /** Stores what a check found; false when the server no longer exists or has changed since. */
    saveCheckState(id: string, state: CheckState): boolean {
      const params = {
        id,
        ...state,
        transport: state.transport ?? null,
        handshakeMs: state.handshakeMs ?? null,
      }
      const row = state.capabilities ? saveStateAndCapabilities.get(params) : saveState.get(params)
      return written(id, row !== undefined)
    },

    /**
     * Stores what was learnt of a server's OAuth (tokens, client, discovery, challenge, state); false when
     * the server has changed (another generation) or gone since.
     */
    saveOAuth(id: string, generation: number, change: OAuthChange): boolean {
      const columns = secrets.oauthColumns(id, change)
      return Object.keys(columns).length > 0 && setOfGeneration(id, generation, columns)
    },

    /**
     * Stores what the supervisor reported of a stdio server's child; false when the server has changed
     * (another generation) or gone since the child started.
     */
    saveProcess(
      id: string,
      generation: number,
      state: Pick<NewServerRow, 'pid' | 'processStartedAt' | 'restarts' | 'lastExit'>,
    ): boolean {
      return setOfGeneration(id, generation, state)
    },

    /**
     * The children the last run left recorded, and forgets them: at start no child of this process runs
     * yet, so a recorded pid is one a previous run could not end (it was killed).
     */
    takeRecordedProcesses(): { pid: number; startedAt: number | null }[] {
      return db.transaction((tx) => {
        const rows = tx
          .select({ pid: servers.pid, startedAt: servers.processStartedAt })
          .from(servers)
          .where(isNotNull(servers.pid))
          .all()
        if (rows.length > 0) tx.update(servers).set({ pid: null, processStartedAt: null }).run()
        return rows.map((r) => ({ pid: r.pid as number, startedAt: r.startedAt }))
      })
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
