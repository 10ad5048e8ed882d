import { and, eq, lt, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { checks, rollups, servers } from '../../db/schema'
import { HOUR } from '../../shared/time'

const yieldToApi = () => new Promise((resolve) => setImmediate(resolve))

/**
 * Deletes raw checks and rollups older than their retention, one server and one slice of time per
 * statement, yielding in between so the API never waits long on the database.
 */
export async function pruneHistory(
  db: Db,
  cutoffs: { raw: number; hourly: number; daily: number },
  step = HOUR,
): Promise<number> {
  let deleted = 0
  const ids = db.select({ id: servers.id }).from(servers).all()
  for (const { id } of ids) {
    const oldest = db
      .select({ at: sql<number | null>`min(${checks.checkedAt})` })
      .from(checks)
      .where(eq(checks.serverId, id))
      .get()?.at
    for (let upto = oldest ?? cutoffs.raw; upto < cutoffs.raw; ) {
      upto = Math.min(cutoffs.raw, upto + step)
      deleted += db
        .delete(checks)
        .where(and(eq(checks.serverId, id), lt(checks.checkedAt, upto)))
        .returning({ at: checks.checkedAt })
        .all().length
      await yieldToApi()
    }
    for (const [period, cutoff] of [
      ['hour', cutoffs.hourly],
      ['day', cutoffs.daily],
    ] as const) {
      deleted += db
        .delete(rollups)
        .where(and(eq(rollups.serverId, id), eq(rollups.period, period), lt(rollups.start, cutoff)))
        .returning({ start: rollups.start })
        .all().length
    }
    await yieldToApi()
  }
  return deleted
}
