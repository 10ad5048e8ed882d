// Every setting AutoMCP reads, with its flag, environment variable and default: each module declares
// its own (`modules/*/config.ts`), combined here into one table that the parser, `--help` and the
// configuration reference (docs/configuration.md) are derived from.

import { authSettings } from './modules/auth/config'
import { dashboardSettings } from './modules/dashboard/config'
import { gatewaySettings } from './modules/gateway/config'
import { llmSettings } from './modules/llm/config'
import { mcpSettings, stdioSettings } from './modules/mcp/config'
import { metricsSettings } from './modules/metrics/config'
import { monitoringSettings } from './modules/monitoring/config'
import { oauthSettings } from './modules/oauth/config'
import { serverSettings } from './modules/servers/config'
import {
  ConfigError,
  integer,
  oneOf,
  type Setting,
  type SettingValues,
  secret,
  setting,
  text,
  UsageError,
} from './shared/settings'

export { ConfigError, UsageError } from './shared/settings'

/** AutoMCP's own settings: where it listens, its database and secret key, its log. */
const coreSettings = {
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
  secretKey: setting({
    env: 'AUTOMCP_SECRET_KEY',
    default: undefined,
    shown: '<db>.key',
    doc: 'Encrypts stored MCP server headers (AES-256-GCM); unset: a random key in a 0600 file beside the database',
    parse: secret,
  }),
}

export const settings = {
  ...coreSettings,
  ...authSettings,
  ...serverSettings,
  ...metricsSettings,
  ...dashboardSettings,
  ...llmSettings,
  ...mcpSettings,
  ...stdioSettings,
  ...oauthSettings,
  ...gatewaySettings,
  ...monitoringSettings,
  logLevel: setting({
    flag: '--log-level',
    env: 'AUTOMCP_LOG_LEVEL',
    default: 'info' as 'debug' | 'info' | 'warn' | 'error',
    doc: 'Least severe log level written: debug, info, warn or error',
    parse: oneOf('debug', 'info', 'warn', 'error'),
  }),
}

export type Config = SettingValues<typeof settings>

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
    '  keys create [--name <name>] [--role admin|read] [--toolset <name>]',
    '                                                    create an API key and print it (shown only once);',
    '                                                    --toolset: it reaches only /mcp/<name> (role read)',
    '  keys list                                         list keys: id, role, prefix, created, last used, revoked',
    '  keys revoke <id>                                  revoke a key; a running server refuses it at once',
    '  probe <url> [--transport t] [--header "K: v"]    check one MCP server once, print JSON; exit 0 when healthy',
    '  probe [--env K=v] [--cwd d] -- <command> [args]  the same for a stdio server: start it, check it, end it',
    '',
    'Options (flags win over environment variables):',
    ...rows,
    '  --help, --version',
  ].join('\n')
}
