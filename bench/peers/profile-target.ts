// bench:monitor with BENCH_PROFILE=1 runs this instead of src/main.ts: the same app and worker, stopped
// after a while without process.exit, so Bun writes the CPU profile it was asked for.
import { createApp } from '../../src/app'
import { loadConfig } from '../../src/config'
import { openDb } from '../../src/db/client'
import { migrate } from '../../src/db/migrate'
import { createServices } from '../../src/services'
import { createLogger } from '../../src/shared/logger'

const config = loadConfig(process.argv.slice(2), process.env)
const db = openDb(config.db)
migrate(db)
const logger = createLogger('warn')
const services = createServices({ db, logger, config })
const app = createApp({ db, logger, services, config }).listen({ port: config.port, hostname: config.host })
services.monitor.start()
setTimeout(
  async () => {
    await app.stop(true)
    await services.stop()
    db.$client.close()
  },
  Number(process.env.PROFILE_SECONDS ?? 15) * 1000,
)
