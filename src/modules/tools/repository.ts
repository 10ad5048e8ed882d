import { and, count, eq, gte, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { toolCalls } from '../../db/schema'
import { type ToolCallSource, toolCallSources } from '../../shared/domain'

export type ToolCallRecord = {
  serverId: string
  tool: string
  /** Who made it: a chat over /chat, the OpenAI-compatible API, or a direct call. */
  source: ToolCallSource
  ok: boolean
  latencyMs: number
  error: string | null
  calledAt: number
}

export type ToolCallCounts = {
  calls: number
  errors: number
  /** The calls made for each source. */
  bySource: Record<ToolCallSource, number>
}

/** The `error` of a call whose chat was cancelled while it ran: not counted among the tool's errors. */
export const cancelledCall = 'cancelled'

export type ToolCallRepository = ReturnType<typeof createToolCallRepository>

/** Every MCP tool call made: counted by the server statistics, pruned with the daily rollups. */
export function createToolCallRepository(db: Db) {
  const insert = db
    .insert(toolCalls)
    .values({
      serverId: sql.placeholder('serverId'),
      tool: sql.placeholder('tool'),
      source: sql.placeholder('source'),
      ok: sql.placeholder('ok'),
      latencyMs: sql.placeholder('latencyMs'),
      error: sql.placeholder('error'),
      calledAt: sql.placeholder('calledAt'),
    })
    .prepare()

  const prune = db.$client.prepare('DELETE FROM tool_calls WHERE called_at < ?')

  return {
    /**
     * Writes calls in one transaction; says how many were refused, each on its own: a call to a server
     * removed meanwhile (the foreign key refuses its row) does not take the others with it.
     */
    recordAll(batch: ToolCallRecord[]): number {
      let refused = 0
      db.$client.transaction(() => {
        for (const call of batch)
          try {
            insert.run({ ...call, ok: call.ok ? 1 : 0 })
          } catch {
            refused++
          }
      })()
      return refused
    },

    /** Calls and failed calls of one server since `since` (epoch ms), in all and by source. */
    counts(serverId: string, since: number): ToolCallCounts {
      const rows = db
        .select({
          source: toolCalls.source,
          calls: count(),
          errors: sql<number>`coalesce(sum(${toolCalls.ok} = 0 and coalesce(${toolCalls.error}, '') <> ${cancelledCall}), 0)`,
        })
        .from(toolCalls)
        .where(and(eq(toolCalls.serverId, serverId), gte(toolCalls.calledAt, since)))
        .groupBy(toolCalls.source)
        .all()
      const bySource = Object.fromEntries(toolCallSources.map((s) => [s, 0])) as Record<
        ToolCallSource,
        number
      >
      let errors = 0
      for (const row of rows) {
        bySource[row.source] = row.calls
        errors += row.errors
      }
      return { calls: rows.reduce((n, r) => n + r.calls, 0), errors, bySource }
    },

    prune(before: number): number {
      return prune.run(before).changes
    },
  }
}
