import { readFileSync } from 'node:fs'
import { createApp } from './app'
import { type Config, ConfigError, loadConfig, usage } from './config'
import { openDb } from './db/client'
import { migrate } from './db/migrate'
import { createServices } from './services'
import { createLogger } from './shared/logger'
import { version } from './version'

// Bun's fetch queues every request past 256 in flight, a limit it reads once at start-up: a few hundred
// silent servers would hold up the checks of all the others. Checks are bounded by the scheduler's own
// cap, so restart this process in place (same pid) with the limit raised, unless the operator set it.
if (!process.env.BUN_CONFIG_MAX_HTTP_REQUESTS && process.execve) {
  const compiled = Bun.main.startsWith('/$bunfs/')
  const args = [...process.execArgv, ...process.argv.slice(compiled ? 2 : 1)]
  process.execve(process.execPath, [process.execPath, ...args], {
    ...process.env,
    BUN_CONFIG_MAX_HTTP_REQUESTS: '65535',
  })
}

const argv = process.argv.slice(2)
if (argv.includes('--help') || argv.includes('-h')) {
  console.log(usage())
  process.exit(0)
}
if (argv.includes('--version')) {
  console.log(version)
  process.exit(0)
}

/** A bad setting is the operator's to fix: one line naming it and exit 2, never a stack trace. */
function fail(message: string): never {
  console.error(`automcp: ${message}`)
  process.exit(2)
}

let config: Config
try {
  config = loadConfig(argv, process.env)
} catch (e) {
  if (e instanceof ConfigError) fail(e.message)
  throw e
}

const logger = createLogger(config.logLevel)
process.on('unhandledRejection', (reason) => logger.error('unhandled rejection', { error: String(reason) }))
process.on('uncaughtException', (error) =>
  logger.error('uncaught exception', { error: String(error), stack: error.stack }),
)

const db = (() => {
  try {
    const db = openDb(config.db, config.dbSynchronous)
    migrate(db)
    return db
  } catch (e) {
    fail(`cannot open the database at --db/AUTOMCP_DB "${config.db}": ${(e as Error).message}`)
  }
})()

const services = createServices({ db, logger, config })
const app = createApp({ db, logger, services, config })
// Built before the first request, so the first dashboard load does not pay for it.
services.servers.listJson()
try {
  app.listen({ port: config.port, hostname: config.host })
} catch (e) {
  fail(`cannot listen on --host/HOST ${config.host} --port/PORT ${config.port}: ${(e as Error).message}`)
}
services.monitor.start()
logger.info('listening', {
  url: `http://${config.host}:${app.server?.port}`,
  port: app.server?.port,
  db: config.db,
  version,
  open_files_limit: openFilesLimit(),
})

/** Each check in flight holds a socket; Bun raises the soft limit to the hard one, this reports it. */
function openFilesLimit(): number | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'))
    return Number(line?.split(/\s{2,}/)[1]) || null
  } catch {
    return null
  }
}

let stopping = false
async function shutdown(signal: string) {
  if (stopping) return
  stopping = true
  logger.info('stopping', { signal })
  // In-flight requests get 10 s to finish; then the remaining connections are cut.
  const force = setTimeout(() => app.server?.stop(true), 10_000)
  await app.stop()
  clearTimeout(force)
  await services.stop()
  db.$client.close()
  logger.info('stopped')
  process.exit(0)
}
process.on('SIGTERM', () => void shutdown('SIGTERM'))
process.on('SIGINT', () => void shutdown('SIGINT'))
