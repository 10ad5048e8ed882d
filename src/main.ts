// Only light modules are imported up front: `serve` may restart the process below, and each command
// loads what it needs (the server's module graph is most of the start-up time) after that.
import { fail } from './cli/fail'
import { type Config, ConfigError, loadConfig, UsageError, usage } from './config'
import { version } from './version'

const commands = ['serve', 'migrate', 'healthcheck', 'keys', 'probe'] as const
type Command = (typeof commands)[number]

const args = process.argv.slice(2)
const command: Command = args[0] && !args[0].startsWith('-') ? (args.shift() as Command) : 'serve'
if (!commands.includes(command)) {
  console.error(`automcp: unknown command "${command}"\n\n${usage()}`)
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

const settingsOf = (rest: string[]): Config => {
  try {
    return loadConfig(rest, process.env)
  } catch (e) {
    if (e instanceof UsageError) fail(`${e.message}\n\n${usage()}`)
    if (e instanceof ConfigError) fail(e.message)
    throw e
  }
}

if (command === 'keys') {
  const { keysCommand, parseKeysArgs } = await import('./cli/keys')
  const keys = parseKeysArgs(args)
  keysCommand(settingsOf(keys.rest), keys.action, keys.options)
} else if (command === 'probe') {
  const { parseProbeArgs, probeCommand } = await import('./cli/probe')
  const probe = parseProbeArgs(args)
  await probeCommand(settingsOf(probe.rest), probe)
} else if (command === 'migrate') (await import('./cli/migrate')).migrateCommand(settingsOf(args))
else if (command === 'healthcheck') await (await import('./cli/healthcheck')).healthcheck(settingsOf(args))
else (await import('./cli/serve')).serve(settingsOf(args))
