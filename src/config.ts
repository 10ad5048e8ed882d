// Every setting AutoMCP reads, with its flag, environment variable and default, in one table: the parser,
// `--help` and the README's configuration table are all derived from it.

import { formatIp, parseCidr, parseHostPattern } from './shared/ssrf'

export class ConfigError extends Error {}
/** An argument AutoMCP does not know: answered with the usage, not just the one line. */
export class UsageError extends ConfigError {}

type Setting<T> = {
  flag?: string
  env?: string
  /** A second environment variable read when `env` is unset. */
  alias?: string
  default: T
  /** How the default is written where people read it, when not as it is stored. */
  shown?: string
  doc: string
  parse: (raw: string, name: string) => T
}

const setting = <T>(s: Setting<T>) => s

const integer =
  (min: number, max: number) =>
  (raw: string, name: string): number => {
    const n = Number(raw)
    if (!/^\s*-?\d+\s*$/.test(raw) || n < min || n > max)
      throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`)
    return n
  }

const oneOf =
  <const T extends string>(...values: T[]) =>
  (raw: string, name: string): T => {
    const v = raw.trim().toLowerCase() as T
    if (!values.includes(v))
      throw new ConfigError(`${name} must be one of ${values.join(', ')}, got "${raw}"`)
    return v
  }

const units = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const
/** `500ms`, `90s`, `30m`, `48h`, `90d` → milliseconds. */
const duration = (raw: string, name: string): number => {
  const m = /^\s*(\d+)\s*(ms|s|m|h|d)\s*$/.exec(raw)
  if (!m || Number(m[1]) === 0)
    throw new ConfigError(`${name} must be a duration such as 500ms, 90s, 30m, 48h or 90d, got "${raw}"`)
  return Number(m[1]) * units[m[2] as keyof typeof units]
}

const boolean = (raw: string, name: string): boolean => {
  const v = raw.trim().toLowerCase()
  if (v === 'true' || v === '1') return true
  if (v === 'false' || v === '0') return false
  throw new ConfigError(`${name} must be true or false, got "${raw}"`)
}

/** A comma-separated list, each item checked by `item` (which throws an Error saying what is wrong). */
const list =
  (item: (raw: string) => string) =>
  (raw: string, name: string): readonly string[] =>
    raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => {
        try {
          return item(s)
        } catch (e) {
          throw new ConfigError(`${name}: ${(e as Error).message}`)
        }
      })

const text = (raw: string) => raw
// Long enough not to be guessed: AUTOMCP_API_KEY is tried online, AUTOMCP_SECRET_KEY offline.
const secret = (raw: string, name: string) => {
  if (raw.length < 16)
    throw new ConfigError(`${name} must be at least 16 characters (e.g. openssl rand -base64 32)`)
  return raw as string | undefined
}

const httpUrl = (raw: string, name: string): string => {
  const url = URL.parse(raw)
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new ConfigError(`${name} must be an absolute http(s) URL, got "${raw}"`)
  return raw.replace(/\/+$/, '')
}

export const settings = {
  port: setting({
    flag: '--port',
    env: 'PORT',
    default: 8000,
    doc: 'TCP port to listen on (0 picks a free one)',
    parse: integer(0, 65535),
  }),
  host: setting({ flag: '--host', env: 'HOST', default: '0.0.0.0', doc: 'Address to bind', parse: text }),
  db: setting({
    flag: '--db',
    env: 'AUTOMCP_DB',
    default: './data/automcp.db',
    doc: 'SQLite file (its directory is created); `:memory:` for a throw-away database',
    parse: text,
  }),
  dbSynchronous: setting({
    env: 'AUTOMCP_DB_SYNCHRONOUS',
    default: 'normal' as 'normal' | 'full',
    doc: 'SQLite `synchronous`: `normal` survives a process crash, `full` also a power loss (slower writes)',
    parse: oneOf('normal', 'full'),
  }),
  auth: setting({
    env: 'AUTOMCP_AUTH',
    default: 'on' as 'on' | 'off',
    doc: '`off` lets every request in without a key (a warning is logged at every start)',
    parse: oneOf('on', 'off'),
  }),
  apiKey: setting({
    env: 'AUTOMCP_API_KEY',
    default: undefined,
    doc: 'An admin API key accepted besides the stored ones; when neither exists, the first start creates one and prints it',
    parse: secret,
  }),
  rateLimit: setting({
    env: 'AUTOMCP_RATE_LIMIT',
    default: 1_200,
    doc: 'REST requests a minute per API key (per client address with auth off), in bursts of as many; over it: 429 with Retry-After; 0: no limit',
    parse: integer(0, 100_000_000),
  }),
  chatRateLimit: setting({
    env: 'AUTOMCP_CHAT_RATE_LIMIT',
    default: 60,
    doc: 'Chats a minute per API key on `/chat` and `/v1/chat/completions`; over it: `rate_limited`; 0: no limit',
    parse: integer(0, 100_000_000),
  }),
  maxServers: setting({
    env: 'AUTOMCP_MAX_SERVERS',
    default: 10_000,
    doc: 'Registered servers at most; registering one more answers 409 `server_limit_reached`',
    parse: integer(1, 10_000_000),
  }),
  metricsPublic: setting({
    env: 'AUTOMCP_METRICS_PUBLIC',
    default: false,
    doc: '`true` serves `/metrics` without an API key (for a Prometheus that cannot send one)',
    parse: (raw, name) => {
      const v = raw.trim().toLowerCase()
      if (v === 'true' || v === '1') return true
      if (v === 'false' || v === '0') return false
      throw new ConfigError(`${name} must be true or false, got "${raw}"`)
    },
  }),
  secretKey: setting({
    env: 'AUTOMCP_SECRET_KEY',
    default: undefined,
    shown: '<db>.key',
    doc: 'Encrypts stored MCP server headers (AES-256-GCM); unset: a random key in a 0600 file beside the database',
    parse: secret,
  }),
  upstreamUrl: setting({
    env: 'AUTOMCP_UPSTREAM_URL',
    default: 'https://openrouter.ai/api/v1',
    doc: 'Base URL of the OpenAI-compatible chat upstream (OpenRouter, vLLM, Ollama, LM Studio…)',
    parse: httpUrl,
  }),
  upstreamApiKey: setting({
    env: 'OPENROUTER_API_KEY',
    alias: 'AUTOMCP_UPSTREAM_API_KEY',
    default: undefined,
    doc: 'Bearer key sent to the chat upstream; none is sent when unset',
    parse: (raw) => raw as string | undefined,
  }),
  upstreamTimeoutMs: setting({
    env: 'AUTOMCP_UPSTREAM_TIMEOUT',
    default: 30 * units.s,
    shown: '30s',
    doc: 'How long the upstream may take to start answering (connect and first byte)',
    parse: duration,
  }),
  upstreamIdleTimeoutMs: setting({
    env: 'AUTOMCP_UPSTREAM_IDLE_TIMEOUT',
    default: 60 * units.s,
    shown: '60s',
    doc: 'How long a streaming answer may go silent between chunks',
    parse: duration,
  }),
  modelsCacheMs: setting({
    env: 'AUTOMCP_MODELS_CACHE_TTL',
    default: 5 * units.m,
    shown: '5m',
    doc: "How long the upstream's model list is served from memory (stale copies stand in when it fails)",
    parse: duration,
  }),
  chatConcurrency: setting({
    env: 'AUTOMCP_CHAT_CONCURRENCY',
    default: 4,
    doc: 'Chats running at once on one `/chat` socket; one more gets `too_many_requests`',
    parse: integer(1, 1_000),
  }),
  maxSteps: setting({
    env: 'AUTOMCP_MAX_STEPS',
    default: 8,
    doc: 'Requests to the model per chat with tool use (tool calls run in between); a chat may ask for fewer or more with `max_steps`',
    parse: integer(1, 64),
  }),
  toolTimeoutMs: setting({
    env: 'AUTOMCP_TOOL_TIMEOUT',
    default: 30 * units.s,
    shown: '30s',
    doc: 'How long one MCP tool call may take; then the model gets an error result',
    parse: duration,
  }),
  maxTools: setting({
    env: 'AUTOMCP_MAX_TOOLS',
    default: 128,
    doc: "Tools one chat may be offered (OpenAI's limit is 128); more gets `too_many_tools`, to be narrowed with `servers` or `tools`",
    parse: integer(1, 10_000),
  }),
  keepAliveMs: setting({
    env: 'AUTOMCP_KEEPALIVE',
    default: 10 * units.s,
    shown: '10s',
    doc: 'How long a `/v1/chat/completions` stream may stay quiet (tools running, the model thinking) before a `: keep-alive` comment is sent',
    parse: duration,
  }),
  toolApprovalTimeoutMs: setting({
    env: 'AUTOMCP_TOOL_APPROVAL_TIMEOUT',
    default: 60 * units.s,
    shown: '60s',
    doc: 'How long a call waits for `approve` or `deny` with `tool_approval: "ask"`; then it is not made',
    parse: duration,
  }),
  corsOrigins: setting({
    env: 'AUTOMCP_CORS_ORIGINS',
    default: [] as readonly string[],
    doc: 'Comma-separated origins allowed to call the API from a browser (none: same-origin only)',
    parse: (raw, name) =>
      raw
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean)
        .map((o) => {
          const url = URL.parse(o)
          if (!url || url.origin !== o.replace(/\/$/, ''))
            throw new ConfigError(`${name} must list origins like https://app.example.com, got "${o}"`)
          return url.origin
        }),
  }),
  allowPrivate: setting({
    env: 'AUTOMCP_ALLOW_PRIVATE',
    default: true,
    doc: 'Whether checks may reach loopback and private addresses (`false`: blocked; see SSRF guard)',
    parse: boolean,
  }),
  allowHosts: setting({
    env: 'AUTOMCP_ALLOW_HOSTS',
    default: [] as readonly string[],
    doc: 'Comma-separated hosts (`mcp.lan`, `*.corp.example`, `10.0.0.5`) exempt from `AUTOMCP_ALLOW_PRIVATE=false`',
    parse: list(parseHostPattern),
  }),
  denyCidrs: setting({
    env: 'AUTOMCP_DENY_CIDRS',
    default: [] as readonly string[],
    doc: 'Comma-separated CIDRs (IPv4, IPv6) that checks never reach, on top of the built-in ones',
    parse: list((raw) => {
      const cidr = parseCidr(raw)
      return `${formatIp({ version: cidr.version, value: cidr.base })}/${cidr.bits}`
    }),
  }),
  checkIntervalS: setting({
    flag: '--check-interval',
    env: 'AUTOMCP_CHECK_INTERVAL',
    default: 30,
    doc: 'Default seconds between health checks of a server',
    parse: integer(1, 86_400),
  }),
  checkTimeoutMs: setting({
    env: 'AUTOMCP_CHECK_TIMEOUT',
    default: 5_000,
    doc: 'Default ms before a check gives up (reason `timeout`)',
    parse: integer(100, 120_000),
  }),
  checkConcurrency: setting({
    env: 'AUTOMCP_CHECK_CONCURRENCY',
    default: 1_000,
    doc: 'Checks in flight at once; each waiting check holds a socket',
    parse: integer(1, 100_000),
  }),
  slowMs: setting({
    env: 'AUTOMCP_SLOW_MS',
    default: 1_000,
    doc: 'A check slower than this many ms makes the server `degraded` (reason `slow`)',
    parse: integer(1, 120_000),
  }),
  failureThreshold: setting({
    env: 'AUTOMCP_FAILURE_THRESHOLD',
    default: 2,
    doc: 'Consecutive failed checks before a server is `unhealthy` (per server: `failure_threshold`)',
    parse: integer(1, 100),
  }),
  successThreshold: setting({
    env: 'AUTOMCP_SUCCESS_THRESHOLD',
    default: 1,
    doc: 'Consecutive good checks before an unhealthy server recovers (per server: `success_threshold`)',
    parse: integer(1, 100),
  }),
  retainRawMs: setting({
    env: 'AUTOMCP_RETAIN_RAW',
    default: 48 * units.h,
    shown: '48h',
    doc: 'How long every single check is kept',
    parse: duration,
  }),
  retainHourlyMs: setting({
    env: 'AUTOMCP_RETAIN_HOURLY',
    default: 90 * units.d,
    shown: '90d',
    doc: 'How long hourly rollups are kept',
    parse: duration,
  }),
  retainDailyMs: setting({
    env: 'AUTOMCP_RETAIN_DAILY',
    default: 730 * units.d,
    shown: '730d',
    doc: 'How long daily rollups are kept',
    parse: duration,
  }),
  logLevel: setting({
    flag: '--log-level',
    env: 'AUTOMCP_LOG_LEVEL',
    default: 'info' as 'debug' | 'info' | 'warn' | 'error',
    doc: 'Least severe log level written: debug, info, warn or error',
    parse: oneOf('debug', 'info', 'warn', 'error'),
  }),
}

type Settings = typeof settings
export type Config = {
  readonly [K in keyof Settings]: ReturnType<Settings[K]['parse']> | Settings[K]['default']
}

/** Reads flags (which win) and environment into one frozen Config; throws ConfigError naming the setting. */
export function loadConfig(argv: string[], env: Record<string, string | undefined>): Config {
  const flags = parseFlags(argv)
  const config: Record<string, unknown> = {}
  for (const [key, s] of Object.entries(settings) as [string, Setting<unknown>][]) {
    const fromFlag = s.flag ? flags.get(s.flag) : undefined
    const envName = [s.env, s.alias].find((name) => name && env[name])
    if (fromFlag !== undefined) config[key] = s.parse(fromFlag, s.flag as string)
    else if (envName) config[key] = s.parse(env[envName] as string, envName)
    else config[key] = s.default
  }
  return Object.freeze(config) as Config
}

const knownFlags = new Set(Object.values(settings).flatMap((s: Setting<unknown>) => (s.flag ? [s.flag] : [])))

function parseFlags(argv: string[]): Map<string, string> {
  const flags = new Map<string, string>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    const eq = arg.indexOf('=')
    const name = eq === -1 ? arg : arg.slice(0, eq)
    if (!knownFlags.has(name)) throw new UsageError(`unknown argument "${arg}"`)
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1)
    if (value === undefined) throw new ConfigError(`${name} needs a value`)
    flags.set(name, value)
  }
  return flags
}

/** The `--help` text, generated from the settings table. */
export function usage(): string {
  const rows = Object.values(settings).map((s: Setting<unknown>) => {
    const names = [s.flag && `${s.flag} <value>`, s.env, s.alias].filter(Boolean).join(', ')
    const shown = s.shown ?? (s.default === undefined ? '' : String(s.default))
    const def = shown === '' ? '' : ` (default: ${shown})`
    return `  ${names.padEnd(44)} ${s.doc}${def}`
  })
  return [
    'Usage: automcp [serve|migrate|healthcheck|keys|probe] [options]',
    '',
    '  serve         run the API and the health-check worker (the default)',
    '  migrate       bring the database up to date, then exit',
    '  healthcheck   GET /health of the instance these options describe; exit 0 when it answers 200',
    '  keys create [--name <name>] [--role admin|read]   create an API key and print it (shown only once)',
    '  keys list                                         list keys: id, role, prefix, created, last used, revoked',
    '  keys revoke <id>                                  revoke a key; a running server refuses it at once',
    '  probe <url> [--transport t] [--header "K: v"]    check one MCP server once, print JSON; exit 0 when healthy',
    '',
    'Options (flags win over environment variables):',
    ...rows,
    '  --help, --version',
  ].join('\n')
}
