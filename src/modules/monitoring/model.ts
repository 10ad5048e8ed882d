import type { TInteger } from '@sinclair/typebox'
import { t } from 'elysia'
import { checkStatuses, serverStatuses, type ToolCallSource, toolCallSources } from '../../shared/domain'
import { oneOf, queryNumber } from '../../shared/model'
import { DAY, HOUR } from '../../shared/time'

export const windows = {
  '1h': HOUR,
  '24h': DAY,
  '7d': 7 * DAY,
  '30d': 30 * DAY,
} as const
export type StatsWindow = keyof typeof windows

const ms = (description: string) => t.Nullable(t.Number({ description }))
// In decimal digits only, with a fraction if need be: what `checked_at` reads, as written.
const epochSeconds = (description: string) =>
  queryNumber({
    pattern: '^\\d{1,12}(?:\\.\\d{1,6})?$',
    description,
    error: 'must be epoch seconds in decimal digits, such as 1795613790 or 1795613790.5',
  })
const checkStatus = oneOf(checkStatuses)

export const MonitoringModel = {
  testResult: t.Object({
    server_id: t.String(),
    success: t.Boolean({ description: 'The server answered as it should (possibly slowly)' }),
    latency_ms: t.Number({
      description: 'Round trip of the check; -1 when there was no answer (as in the seed API)',
    }),
    error_message: t.Nullable(t.String()),
    capabilities: t.Nullable(t.Record(t.String(), t.Unknown())),
    status: oneOf(serverStatuses, {
      description: 'The server status after this check and flap control',
    }),
    status_reason: t.Nullable(t.String()),
  }),

  historyQuery: t.Object({
    from: t.Optional(epochSeconds('Epoch seconds, inclusive')),
    to: t.Optional(epochSeconds('Epoch seconds, inclusive')),
    // Whole numbers only: SQLite refuses LIMIT 1.5 (a 500 before this said so). 100 when absent.
    limit: t.Optional(
      queryNumber({
        pattern: '^(?:[1-9]\\d{0,2}|1000)$',
        description: 'Checks per page, 1-1000 (default 100)',
        error: 'must be an integer from 1 to 1000, in decimal digits',
      }),
    ),
    cursor: t.Optional(
      t.String({
        pattern: '^\\d{1,16}$',
        description: '`next_cursor` of the previous page',
        error: 'must be a next_cursor value',
      }),
    ),
  }),

  history: t.Object({
    data: t.Array(
      t.Object({
        checked_at: t.Number({ description: 'Epoch seconds' }),
        status: checkStatus,
        reason: t.Nullable(t.String()),
        latency_ms: t.Nullable(t.Number()),
        handshake_ms: t.Nullable(
          t.Number({ description: 'Set when the check opened a new MCP session: its handshake' }),
        ),
        error: t.Nullable(t.String()),
      }),
    ),
    next_cursor: t.Nullable(
      t.String({ description: 'Pass as `cursor` for older checks; null on the last page' }),
    ),
  }),

  statsQuery: t.Object({ window: t.Optional(oneOf(Object.keys(windows) as StatsWindow[])) }),

  stats: t.Object({
    window: t.String(),
    checks: t.Integer(),
    uptime_ratio: t.Nullable(t.Number({ description: 'Checks that got an answer / all checks' })),
    p50_ms: ms('Median latency of the answered checks'),
    p95_ms: ms('95th percentile latency'),
    p99_ms: ms('99th percentile latency'),
    min_ms: ms('Fastest answered check'),
    max_ms: ms('Slowest answered check'),
    tool_calls: t.Integer({
      description: 'MCP tool calls made through AutoMCP in the window: for chats, for /v1, and direct calls',
    }),
    tool_errors: t.Integer({
      description: 'Of those, the calls that failed or whose tool reported an error',
    }),
    tool_calls_by_source: t.Object(
      Object.fromEntries(toolCallSources.map((s) => [s, t.Integer()])) as Record<ToolCallSource, TInteger>,
      {
        description:
          'The tool calls by who made them: `chat` (WS /chat), `v1` (POST /v1/chat/completions), `direct` (POST /servers/{id}/tools/{name}/call)',
      },
    ),
    source: oneOf(['raw', 'hourly', 'daily'] as const, {
      description:
        'raw: exact, from every check; hourly/daily: from rollups, percentiles interpolated in a fixed histogram',
    }),
  }),
}
