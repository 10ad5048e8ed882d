import { randomBytes } from 'node:crypto'
import { and, eq, isNull, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { type ApiKeyRow, apiKeys } from '../../db/schema'
import { hashKey, newKey, prefixOf, type Role, storedKeyPrefix } from './keys'

export type KeyRepository = ReturnType<typeof createKeyRepository>

/** Stored API keys: created (the key itself is returned once, never stored), listed, looked up, revoked. */
export function createKeyRepository(db: Db) {
  const p = sql.placeholder
  const byHash = db
    .select({ id: apiKeys.id, role: apiKeys.role, toolset: apiKeys.toolset })
    .from(apiKeys)
    .where(and(eq(apiKeys.hash, p('hash')), isNull(apiKeys.revokedAt)))
    .prepare()
  const activeById = db
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .where(and(eq(apiKeys.id, p('id')), isNull(apiKeys.revokedAt)))
    .prepare()
  const touch = db
    .update(apiKeys)
    .set({ lastUsedAt: p('now') as unknown as number })
    .where(eq(apiKeys.id, p('id')))
    .prepare()

  return {
    /** `toolset`: the name of the toolset the key is limited to (checked by the caller). */
    create(
      name: string,
      role: Role,
      { toolset = null, now = Date.now() }: { toolset?: string | null; now?: number } = {},
    ): { key: string; row: ApiKeyRow } {
      const key = newKey()
      const row = db
        .insert(apiKeys)
        .values({
          id: `${storedKeyPrefix}${randomBytes(4).toString('hex')}`,
          name,
          role,
          hash: hashKey(key),
          prefix: prefixOf(key),
          toolset,
          createdAt: now,
        })
        .returning()
        .get()
      return { key, row }
    },

    list: (): ApiKeyRow[] => db.select().from(apiKeys).orderBy(apiKeys.createdAt).all(),

    /** Keys ever made, revoked ones included. */
    count: (): number => db.select({ n: sql<number>`count(*)` }).from(apiKeys).get()?.n ?? 0,

    /** The live key with this hash. Read from the database every time, so a revoke works at once. */
    find: (hash: string): { id: string; role: Role; toolset: string | null } | undefined =>
      byHash.get({ hash }),

    /** Live keys limited to the toolset of this name. */
    countLimitedTo: (toolset: string): number =>
      db
        .select({ n: sql<number>`count(*)` })
        .from(apiKeys)
        .where(and(eq(apiKeys.toolset, toolset), isNull(apiKeys.revokedAt)))
        .get()?.n ?? 0,

    isActive: (id: string): boolean => activeById.get({ id }) !== undefined,

    touch(id: string, now: number) {
      touch.run({ id, now })
    },

    /** false when there is no such key or it was revoked already. */
    revoke(id: string, now = Date.now()): boolean {
      return (
        db
          .update(apiKeys)
          .set({ revokedAt: now })
          .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
          .returning({ id: apiKeys.id })
          .all().length > 0
      )
    },
  }
}
