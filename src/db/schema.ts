import { sql } from 'drizzle-orm'
import { index, integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core'

// Times are epoch milliseconds in the database; the API speaks epoch seconds like the seed did.

export const servers = sqliteTable(
  'servers',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    url: text('url').notNull(),
    transport: text('transport', { enum: ['auto', 'streamable-http', 'sse', 'http'] })
      .notNull()
      .default('auto'),
    // Write-only: sent to the server being checked, never returned by the API.
    headers: text('headers', { mode: 'json' }).$type<Record<string, string>>().notNull().default(sql`'{}'`),
    intervalS: integer('interval_s'),
    timeoutMs: integer('timeout_ms'),
    tags: text('tags', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    status: text('status', { enum: ['healthy', 'degraded', 'unhealthy', 'unknown'] })
      .notNull()
      .default('unknown'),
    statusReason: text('status_reason'),
    capabilities: text('capabilities', { mode: 'json' })
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'`),
    latencyMs: real('latency_ms'),
    lastCheckedAt: integer('last_checked_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('servers_status_idx').on(t.status)],
)

/** One row per health check; the monitoring worker appends, rollups and retention prune. */
export const checks = sqliteTable(
  'checks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    serverId: text('server_id')
      .notNull()
      .references(() => servers.id, { onDelete: 'cascade' }),
    checkedAt: integer('checked_at').notNull(),
    status: text('status', { enum: ['healthy', 'degraded', 'unhealthy', 'unknown'] }).notNull(),
    reason: text('reason'),
    latencyMs: real('latency_ms'),
    error: text('error'),
  },
  (t) => [
    index('checks_server_time_idx').on(t.serverId, t.checkedAt),
    index('checks_time_idx').on(t.checkedAt),
  ],
)

export type ServerRow = typeof servers.$inferSelect
export type NewServerRow = typeof servers.$inferInsert
