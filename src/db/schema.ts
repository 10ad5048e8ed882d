import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import {
  authStates,
  checkStatuses,
  concreteTransports,
  type OAuthChallenge,
  oauthGrants,
  type ProcessExit,
  serverStatuses,
  toolCallSources,
  transports,
} from '../shared/domain'

// Times are epoch milliseconds in the database; the API speaks epoch seconds like the seed did.

export const servers = sqliteTable(
  'servers',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    // '' for a stdio server, which has a command instead (the API shows null).
    url: text('url').notNull(),
    transport: text('transport', { enum: transports }).notNull().default('auto'),
    // Write-only: sent to the server being checked, never returned by the API. Sealed with AES-GCM
    // (src/shared/secrets.ts); `{…}` is a value from before sealing, sealed at the next start.
    headers: text('headers').notNull().default(sql`'{}'`),
    headerNames: text('header_names', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    // A stdio server's program: AutoMCP starts it and speaks MCP over its stdin and stdout. `env` is
    // sealed like `headers` and write-only; `envNames` are what the API shows of it.
    command: text('command'),
    args: text('args', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    env: text('env').notNull().default(sql`'{}'`),
    envNames: text('env_names', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    cwd: text('cwd'),
    // The stdio server's child as the supervisor last reported it (null pid: not running).
    pid: integer('pid'),
    processStartedAt: integer('process_started_at'),
    restarts: integer('restarts').notNull().default(0),
    lastExit: text('last_exit', { mode: 'json' }).$type<ProcessExit>(),
    // OAuth 2.1 (the MCP authorization spec): the user's settings, sealed (OAuthConfig); the client AutoMCP
    // registered or was given, and its tokens, sealed; what discovery found and the server's last
    // challenge, in clear (they are public metadata). `auth*` is what the API shows of it.
    oauth: text('oauth'),
    oauthClient: text('oauth_client'),
    oauthTokens: text('oauth_tokens'),
    oauthDiscovery: text('oauth_discovery', { mode: 'json' }).$type<Record<string, unknown>>(),
    oauthChallenge: text('oauth_challenge', { mode: 'json' }).$type<OAuthChallenge>(),
    authGrant: text('auth_grant', { enum: oauthGrants }),
    authState: text('auth_state', { enum: authStates }),
    authScopes: text('auth_scopes', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    authExpiresAt: integer('auth_expires_at'),
    authError: text('auth_error'),
    intervalS: integer('interval_s'),
    timeoutMs: integer('timeout_ms'),
    failureThreshold: integer('failure_threshold'),
    successThreshold: integer('success_threshold'),
    // The transport that answered when `transport` is `auto`.
    activeTransport: text('active_transport', { enum: concreteTransports }),
    tags: text('tags', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    status: text('status', { enum: serverStatuses }).notNull().default('unknown'),
    statusReason: text('status_reason'),
    capabilities: text('capabilities', { mode: 'json' })
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'`),
    latencyMs: real('latency_ms'),
    // How long the MCP handshake (`initialize`) of the server's current session took.
    handshakeMs: real('handshake_ms'),
    lastCheckedAt: integer('last_checked_at'),
    // Which registration of this id the row is: a new number whenever the server is registered or its
    // url, transport or headers change. A check stores its result only if the row still has the number
    // it started with, so a check of the old endpoint cannot land on the new one.
    generation: integer('generation').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('servers_status_idx').on(t.status)],
)

/**
 * One row per health check; the monitoring worker appends, retention prunes. Clustered by server and
 * time (the migration declares it WITHOUT ROWID): history reads and per-server retention are range scans,
 * and a row costs ~40 bytes, which keeps 48 h of 1,000 servers at 30 s (5.8 M rows) near 250 MB.
 */
export const checks = sqliteTable(
  'checks',
  {
    serverId: text('server_id')
      .notNull()
      .references(() => servers.id, { onDelete: 'cascade' }),
    checkedAt: integer('checked_at').notNull(),
    status: text('status', { enum: checkStatuses }).notNull(),
    reason: text('reason'),
    latencyMs: real('latency_ms'),
    error: text('error'),
    // Set when the check opened a new session: its handshake, apart from the check's own latency.
    handshakeMs: real('handshake_ms'),
  },
  (t) => [primaryKey({ columns: [t.serverId, t.checkedAt] })],
)

export type ServerRow = typeof servers.$inferSelect
export type NewServerRow = typeof servers.$inferInsert

/**
 * Hourly and daily aggregates of `checks` (WITHOUT ROWID, like `checks`), kept longer than the raw rows. `hist` counts latencies per
 * bucket of LATENCY_BUCKETS so percentiles can be computed for any window from the rollups alone.
 */
export const rollups = sqliteTable(
  'rollups',
  {
    serverId: text('server_id')
      .notNull()
      .references(() => servers.id, { onDelete: 'cascade' }),
    period: text('period', { enum: ['hour', 'day'] }).notNull(),
    start: integer('start').notNull(),
    count: integer('count').notNull(),
    up: integer('up').notNull(),
    minMs: real('min_ms'),
    maxMs: real('max_ms'),
    sumMs: real('sum_ms').notNull(),
    hist: text('hist', { mode: 'json' }).$type<number[]>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.serverId, t.period, t.start] })],
)

export type CheckRow = typeof checks.$inferSelect

/**
 * API keys: only a SHA-256 of each is stored (keys are 256 random bits, so a fast hash is enough).
 * A revoked key keeps its row, so `automcp keys list` can still show when it went.
 */
export const apiKeys = sqliteTable('api_keys', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  role: text('role', { enum: ['admin', 'read'] }).notNull(),
  hash: text('hash').notNull().unique(),
  // The first characters of the key, to recognise it in a list.
  prefix: text('prefix').notNull(),
  createdAt: integer('created_at').notNull(),
  lastUsedAt: integer('last_used_at'),
  revokedAt: integer('revoked_at'),
  // The name of the toolset the key is limited to: it reaches /mcp/<toolset> and nothing else. A name,
  // not a foreign key, so the key stays limited (to nothing) if the toolset could ever go; deleting a
  // toolset that keys name is refused instead.
  toolset: text('toolset'),
})

export type ApiKeyRow = typeof apiKeys.$inferSelect

/** One row per MCP tool call made for a chat: what `GET /servers/{id}/stats` counts. */
export const toolCalls = sqliteTable(
  'tool_calls',
  {
    id: integer('id').primaryKey(),
    serverId: text('server_id')
      .notNull()
      .references(() => servers.id, { onDelete: 'cascade' }),
    calledAt: integer('called_at').notNull(),
    tool: text('tool').notNull(),
    // Who made the call: a chat over /chat, the OpenAI-compatible API, or a direct call.
    source: text('source', { enum: toolCallSources }).notNull().default('chat'),
    ok: integer('ok', { mode: 'boolean' }).notNull(),
    latencyMs: real('latency_ms').notNull(),
    error: text('error'),
  },
  // By server for the statistics, by time alone for retention.
  (t) => [
    index('tool_calls_server_time_idx').on(t.serverId, t.calledAt),
    index('tool_calls_time_idx').on(t.calledAt),
  ],
)

/**
 * Toolsets: named selections of servers and tools served at /mcp/<name> (virtual servers). Absent
 * (null) `servers`, `tags` or `tools` select everything; see src/modules/toolsets/selection.ts.
 */
export const toolsets = sqliteTable('toolsets', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  description: text('description'),
  servers: text('servers', { mode: 'json' }).$type<string[]>(),
  tags: text('tags', { mode: 'json' }).$type<string[]>(),
  tools: text('tools', { mode: 'json' }).$type<string[]>(),
  // false: the tools keep their servers' own names (no `<server>__` prefix).
  prefix: integer('prefix', { mode: 'boolean' }).notNull().default(true),
  // true: tools/list offers only search_tools and call_tool.
  discovery: integer('discovery', { mode: 'boolean' }).notNull().default(false),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
})

export type ToolsetRow = typeof toolsets.$inferSelect
