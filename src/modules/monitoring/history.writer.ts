import { sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { checks, rollups } from '../../db/schema'
import { rollupDeltas } from './stats'
import type { CheckResult } from './types'

/** Writes checks and keeps their hourly and daily rollups current, in the same transaction. */
export function createHistoryWriter(db: Db) {
  const p = sql.placeholder
  const insertCheck = db
    .insert(checks)
    .values({
      serverId: p('serverId'),
      checkedAt: p('checkedAt'),
      status: p('status'),
      reason: p('reason'),
      latencyMs: p('latencyMs'),
      handshakeMs: p('handshakeMs'),
      error: p('error'),
    })
    .onConflictDoNothing()
    .prepare()
  // Adds a batch's aggregate to its rollup row in one statement, histogram included.
  const addToRollup = db
    .insert(rollups)
    .values({
      serverId: p('serverId'),
      period: p('period'),
      start: p('start'),
      count: p('count'),
      up: p('up'),
      minMs: p('minMs'),
      maxMs: p('maxMs'),
      sumMs: p('sumMs'),
      hist: p('hist'),
    })
    .onConflictDoUpdate({
      target: [rollups.serverId, rollups.period, rollups.start],
      set: {
        count: sql`${rollups.count} + excluded.count`,
        up: sql`${rollups.up} + excluded.up`,
        minMs: sql`coalesce(min(${rollups.minMs}, excluded.min_ms), ${rollups.minMs}, excluded.min_ms)`,
        maxMs: sql`coalesce(max(${rollups.maxMs}, excluded.max_ms), ${rollups.maxMs}, excluded.max_ms)`,
        sumMs: sql`${rollups.sumMs} + excluded.sum_ms`,
        hist: sql`(select json_group_array(a.value + b.value order by a.key) from json_each(${rollups.hist}) a join json_each(excluded.hist) b on a.key = b.key)`,
      },
    })
    .prepare()

  return {
    /**
     * Writes a batch of checks and their hourly and daily rollups in one transaction, in which
     * `saveState` also stores each server's new state; it answers false for a server deleted or changed
     * meanwhile, whose result is then left out of the history too.
     */
    record(results: CheckResult[], saveState: (r: CheckResult) => boolean): string[] {
      const written: string[] = []
      db.transaction(() => {
        const kept: CheckResult[] = []
        for (const r of results) {
          if (!saveState(r)) continue
          const { outcome } = r
          insertCheck.run({
            serverId: r.serverId,
            checkedAt: r.checkedAt,
            status: outcome.status,
            reason: outcome.reason,
            latencyMs: outcome.latencyMs,
            // Only on the check that opened the session: its handshake came before the ping.
            handshakeMs: outcome.opened ? (outcome.handshakeMs ?? null) : null,
            error: outcome.error,
          })
          written.push(r.serverId)
          kept.push(r)
        }
        const deltas = rollupDeltas(
          kept.map((r) => ({
            serverId: r.serverId,
            checkedAt: r.checkedAt,
            status: r.outcome.status,
            latencyMs: r.outcome.latencyMs,
          })),
        )
        for (const { serverId, period, start, agg } of deltas)
          addToRollup.run({ serverId, period, start, ...agg })
      })
      return written
    },
  }
}
