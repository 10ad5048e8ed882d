import { and, count, eq, gte, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { toolCalls } from '../../db/schema'

export type ToolCallRecord = {
  serverId: string
  tool: string
  ok: boolean
  latencyMs: number
  error: string | null
  calledAt: number
}

/** The `error` of a call whose chat was cancelled while it ran: not counted among the tool's errors. */
export const cancelledCall = 'cancelled'

export type ToolCallRepository = ReturnType<typeof createToolCallRepository>

/** Every MCP tool call made for a chat: counted by the server statistics, pruned with the daily rollups. */
export function createToolCallRepository(db: Db) {
  const insert = db
    .insert(toolCalls)
    .values({
      serverId: sql.placeholder('serverId'),
      tool: sql.placeholder('tool'),
      ok: sql.placeholder('ok'),
      latencyMs: sql.placeholder('latencyMs'),
      error: sql.placeholder('error'),
      calledAt: sql.placeholder('calledAt'),
    })
    .prepare()

  const prune = db.$client.prepare('DELETE FROM tool_calls WHERE called_at < ?')

  return {
    record(call: ToolCallRecord) {
      insert.run({ ...call, ok: call.ok ? 1 : 0 })
    },

    /** Calls and failed calls of one server since `since` (epoch ms). */
    counts(serverId: string, since: number): { calls: number; errors: number } {
      const row = db
        .select({
          calls: count(),
          errors: sql<number>`coalesce(sum(${toolCalls.ok} = 0 and coalesce(${toolCalls.error}, '') <> ${cancelledCall}), 0)`,
        })
        .from(toolCalls)
        .where(and(eq(toolCalls.serverId, serverId), gte(toolCalls.calledAt, since)))
        .get()
      return { calls: row?.calls ?? 0, errors: row?.errors ?? 0 }
    },

    prune(before: number): number {
      return prune.run(before).changes
    },
  }
}
