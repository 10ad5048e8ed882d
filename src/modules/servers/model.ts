import type { TSchema } from '@sinclair/typebox'
import { t } from 'elysia'
import { concreteTransports, serverStatuses, transports } from '../../shared/domain'
import { integer, oneOf, queryNumber } from '../../shared/model'
import { httpUrlProblem } from '../../shared/url'
import { authInfo, oauth } from './model.oauth'

export type { AuthInfo } from './model.oauth'

import { args, command, cwd, env, processInfo } from './model.stdio'

// The `t` schemas below validate requests, shape responses and generate the OpenAPI document.

// Not `.` or `..`: as a path segment they mean "here" and "up", so `/servers/..` would name no server.
const id = t.String({
  pattern: '^(?!\\.\\.?$)[A-Za-z0-9._-]{1,64}$',
  description: 'Stable identifier: 1-64 letters, digits, ".", "_" or "-", other than "." and ".."',
  error: 'must be 1-64 characters of letters, digits, ".", "_" or "-", other than "." and ".."',
  examples: ['everything'],
})
const name = t.String({ minLength: 1, maxLength: 200, error: 'must be a string of 1-200 characters' })
// `http-url` is the rule (../../shared/url.ts); the pattern tells OpenAPI clients its shape: a scheme,
// then a host and port without `user:password@`.
const url = t.String({
  format: 'http-url',
  pattern: '^[Hh][Tt][Tt][Pp][Ss]?://[^/?#\\\\\\s@]+(?:[/?#\\\\]|$)',
  maxLength: 2048,
  description:
    'Absolute http(s) URL of the MCP server (its endpoint, e.g. http://host:3001/mcp); port 1-65535; no user:password@ (credentials go in `headers`)',
  error: 'must be an absolute http(s) URL of at most 2048 characters',
  explain: httpUrlProblem,
  examples: ['http://127.0.0.1:3001/mcp'],
})
const transport = oneOf(transports, {
  description:
    'How to talk to the server; `auto` tries streamable HTTP, then SSE, then plain HTTP; `stdio` starts `command` and speaks MCP over its stdin and stdout',
})
const headers = t.Record(
  t.String({ pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$" }),
  t.String({
    maxLength: 8192,
    pattern: '^[^\\r\\n]*$',
    error: 'must be a string of at most 8192 characters without line breaks',
  }),
  {
    // Without it, TypeBox checks only the names that match the pattern and lets any other through.
    additionalProperties: false,
    maxProperties: 32,
    description: 'HTTP headers sent with every check (e.g. Authorization). Write-only: never returned',
    error: 'must be an object of header names to string values (at most 32)',
  },
)
const intervalS = integer({
  minimum: 1,
  maximum: 86_400,
  description: 'Seconds between checks',
  error: 'must be an integer from 1 to 86400',
})
const timeoutMs = integer({
  minimum: 100,
  maximum: 120_000,
  description: 'Per-check timeout in ms',
  error: 'must be an integer from 100 to 120000',
})
const threshold = (what: string) =>
  integer({ minimum: 1, maximum: 100, description: what, error: 'must be an integer from 1 to 100' })
const failureThreshold = threshold('Failed checks in a row before the server is unhealthy')
const successThreshold = threshold('Good checks in a row before an unhealthy server recovers')
const tags = t.Array(
  t.String({ minLength: 1, maxLength: 64, error: 'must be a string of 1-64 characters' }),
  {
    maxItems: 32,
    description: 'Labels to filter by; each is stored once',
    error: 'must be an array of at most 32 strings of 1-64 characters',
  },
)
/** A setting whose null means the server-wide default. */
const orDefault = <T extends TSchema>(schema: T) =>
  t.Nullable(schema, { error: `${schema.error} or null (the server-wide default)` })
/** The settings a user may leave out; null (where allowed) means the server-wide default. */
const optionalSettings = {
  transport: t.Optional(transport),
  headers: t.Optional(headers),
  interval_s: t.Optional(orDefault(intervalS)),
  timeout_ms: t.Optional(orDefault(timeoutMs)),
  failure_threshold: t.Optional(orDefault(failureThreshold)),
  success_threshold: t.Optional(orDefault(successThreshold)),
  tags: t.Optional(tags),
  command: t.Optional(t.Nullable(command, { error: `${command.error}, or null` })),
  args: t.Optional(args),
  env: t.Optional(env),
  cwd: t.Optional(t.Nullable(cwd, { error: `${cwd.error}, or null` })),
  oauth: t.Optional(t.Nullable(oauth, { error: `${oauth.error}, or null (no OAuth)` })),
}
const ignored = (what: string) =>
  t.Optional(
    t.Unknown({
      description: `Accepted for compatibility with the seed API and ignored: AutoMCP owns ${what}`,
    }),
  )

export const ServerModel = {
  register: t.Object(
    {
      id: t.Optional(id),
      name,
      // null: a stdio server's, as GET shows it. A wrong value is explained as for `url` alone.
      url: t.Optional(t.Nullable(url, { error: url.error, explain: httpUrlProblem })),
      ...optionalSettings,
      status: ignored('the status'),
      last_checked: ignored('the check time'),
      capabilities: ignored('the capabilities'),
      latency_ms: ignored('the latency'),
    },
    {
      // Lenient like the seed, so a body read from GET /servers can be sent back as it is.
      additionalProperties: true,
      description:
        'A server to add or replace. Fields not listed here (such as those GET /servers returns) are ignored.',
    },
  ),

  patch: t.Object(
    {
      name: t.Optional(name),
      url: t.Optional(url),
      ...optionalSettings,
    },
    {
      additionalProperties: false,
      minProperties: 1,
      description: 'Fields to change; null resets a setting to its default',
    },
  ),

  registered: t.Object({ status: t.Literal('success'), server_id: t.String() }),

  info: t.Object({
    id: t.String(),
    name: t.String(),
    url: t.Nullable(t.String({ description: 'null for a stdio server' })),
    status: oneOf(serverStatuses, { description: '`unknown` until the first check' }),
    status_reason: t.Nullable(t.String({ description: 'Why the status is not healthy, e.g. timeout' })),
    last_checked: t.Nullable(t.Number({ description: 'Epoch seconds of the last check' })),
    capabilities: t.Record(t.String(), t.Unknown()),
    latency_ms: t.Nullable(t.Number({ description: 'Round trip of the last check (a `ping` over MCP)' })),
    handshake_ms: t.Nullable(
      t.Number({ description: 'How long opening the current MCP session (`initialize`) took' }),
    ),
    transport,
    active_transport: t.Nullable(
      oneOf(concreteTransports, {
        description: 'The transport that answered the last check',
      }),
    ),
    header_names: t.Array(t.String(), {
      description: 'Names of the stored headers; values are never returned',
    }),
    command: t.Nullable(t.String({ description: "A stdio server's program; null for other servers" })),
    args: t.Array(t.String()),
    cwd: t.Nullable(t.String()),
    env_names: t.Array(t.String(), {
      description: "Names of a stdio server's environment variables; values are never returned",
    }),
    process: processInfo,
    auth: authInfo,
    interval_s: t.Nullable(t.Integer({ description: 'null: the server-wide default' })),
    timeout_ms: t.Nullable(t.Integer({ description: 'null: the server-wide default' })),
    failure_threshold: t.Nullable(t.Integer({ description: 'null: the server-wide default' })),
    success_threshold: t.Nullable(t.Integer({ description: 'null: the server-wide default' })),
    uptime_24h: t.Nullable(
      t.Number({ description: 'Share of checks in the last 24 h that got an answer (0-1)' }),
    ),
    tags: t.Array(t.String()),
    created_at: t.Number({ description: 'Epoch seconds' }),
    updated_at: t.Number({ description: 'Epoch seconds' }),
  }),

  listQuery: t.Object({
    status: t.Optional(oneOf(serverStatuses)),
    tag: t.Optional(t.String({ minLength: 1, maxLength: 64, error: 'must be a tag of 1-64 characters' })),
  }),

  params: t.Object({ id }),

  authorized: t.Object({
    authorization_url: t.String({
      description:
        'Open it in a browser: the authorization server asks the user, then sends the browser back to AutoMCP',
    }),
    expires_in: t.Integer({ description: 'Seconds the link stays valid' }),
  }),

  logsQuery: t.Object({
    limit: t.Optional(
      queryNumber({
        pattern: '^(?:[1-9]\\d{0,2}|1000)$',
        description: 'Lines to return, the last ones: 1-1000 (default 100)',
        error: 'must be an integer from 1 to 1000, in decimal digits',
      }),
    ),
  }),

  logs: t.Array(
    t.Object({
      time: t.Number({ description: 'Epoch seconds the line was written' }),
      text: t.String(),
    }),
    { description: "The stdio server's last stderr lines, oldest first" },
  ),
}

export type RegisterBody = typeof ServerModel.register.static
export type PatchBody = typeof ServerModel.patch.static
export type ServerInfo = typeof ServerModel.info.static
export type ListQuery = typeof ServerModel.listQuery.static
export type ServerProcess = typeof processInfo.static
export type ServerLogs = typeof ServerModel.logs.static
