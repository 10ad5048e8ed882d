import { readFileSync } from 'node:fs'
import { createApp } from '../app'
import type { Config } from '../config'
import { createServices } from '../services'
import { createLogger } from '../shared/logger'
import { version } from '../version'
import { openDatabase } from './database'
import { fail } from './fail'

/** `automcp serve`: open and migrate the database, listen, run the worker; stop cleanly on a signal. */
export function serve(config: Config) {
  const logger = createLogger(config.logLevel)
  process.on('unhandledRejection', (reason) => logger.error('unhandled rejection', { error: String(reason) }))
  process.on('uncaughtException', (error) =>
    logger.error('uncaught exception', { error: String(error), stack: error.stack }),
  )

  const db = openDatabase(config)

  const services = (() => {
    try {
      return createServices({ db, logger, config })
    } catch (e) {
      fail(
        `cannot open the stored secrets (AUTOMCP_SECRET_KEY or the key file beside the database): ${(e as Error).message}`,
      )
    }
  })()
  if (config.auth === 'off')
    logger.warn('authentication is off (AUTOMCP_AUTH=off): anyone who can reach this port can use the API')
  // Only into a database that never had a key: revoking every key must not mint a new admin key.
  else if (!config.apiKey && services.keys.count() === 0) {
    // Secure by default, yet usable at once: the first start makes an admin key and shows it this once.
    const { key, row } = services.keys.create('initial admin key', 'admin')
    process.stderr.write(
      `\nAutoMCP created an admin API key (${row.id}). It is shown only this once; keep it:\n\n  ${key}\n\n` +
        'Send it as "Authorization: Bearer <key>". More keys: automcp keys create --role read|admin\n\n',
    )
  }
  const app = createApp({ db, logger, services, config })
  // Built before the first request, so the first dashboard load does not pay for it.
  services.servers.listJson()
  try {
    app.listen({ port: config.port, hostname: config.host })
  } catch (e) {
    fail(`cannot listen on --host/HOST ${config.host} --port/PORT ${config.port}: ${(e as Error).message}`)
  }
  services.listening(app.server?.port ?? config.port)
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
    services.sockets.closeAll()
    await app.stop()
    clearTimeout(force)
    await services.stop()
    db.$client.close()
    logger.info('stopped')
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}
