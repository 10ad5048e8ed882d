import { fail } from './cli/fail'
import { healthcheck } from './cli/healthcheck'
import { keysCommand, parseKeysArgs } from './cli/keys'
import { migrateCommand } from './cli/migrate'
import { parseProbeArgs, probeCommand } from './cli/probe'
import { serve } from './cli/serve'
import { type Config, ConfigError, loadConfig, usage } from './config'
import { version } from './version'

const commands = ['serve', 'migrate', 'healthcheck', 'keys', 'probe'] as const
type Command = (typeof commands)[number]

const args = process.argv.slice(2)
const command: Command = args[0] && !args[0].startsWith('-') ? (args.shift() as Command) : 'serve'
if (!commands.includes(command)) {
  console.error(`automcp: unknown command "${command}" (commands: ${commands.join(', ')}; see --help)`)
  process.exit(2)
}

// Bun's fetch queues every request past 256 in flight, a limit it reads once at start-up: a few hundred
// silent servers would hold up the checks of all the others. Checks are bounded by the scheduler's own
// cap, so the server restarts itself in place (same pid) with the limit raised, unless it is set.
if (command === 'serve' && !process.env.BUN_CONFIG_MAX_HTTP_REQUESTS && process.execve) {
  const compiled = Bun.main.startsWith('/$bunfs/')
  const argv = [...process.execArgv, ...process.argv.slice(compiled ? 2 : 1)]
  process.execve(process.execPath, [process.execPath, ...argv], {
    ...process.env,
    BUN_CONFIG_MAX_HTTP_REQUESTS: '65535',
  })
}

if (args.includes('--help') || args.includes('-h')) {
  console.log(usage())
  process.exit(0)
}
if (args.includes('--version')) {
  console.log(version)
  process.exit(0)
}

const keys = command === 'keys' ? parseKeysArgs(args) : undefined
const probe = command === 'probe' ? parseProbeArgs(args) : undefined
let config: Config
try {
  config = loadConfig((keys ?? probe)?.rest ?? args, process.env)
} catch (e) {
  if (e instanceof ConfigError) fail(e.message)
  throw e
}

if (command === 'migrate') migrateCommand(config)
else if (command === 'healthcheck') await healthcheck(config)
else if (keys) keysCommand(config, keys.action, keys.options)
else if (probe) await probeCommand(config, probe)
else serve(config)
