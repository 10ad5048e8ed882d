import type { Config } from '../config'
import { openDb } from '../db/client'
import { migrate } from '../db/migrate'
import { fail } from './fail'

/** `automcp migrate`: bring the database up to date and say how many migrations that took. */
export function migrateCommand(config: Config) {
  try {
    const db = openDb(config.db, config.dbSynchronous)
    const applied = () => {
      try {
        return (db.$client.query('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n
      } catch {
        return 0
      }
    }
    const before = applied()
    migrate(db)
    const after = applied()
    db.$client.close()
    console.log(JSON.stringify({ msg: 'migrated', db: config.db, applied: after - before, total: after }))
  } catch (e) {
    fail(`cannot migrate the database at --db/AUTOMCP_DB "${config.db}": ${(e as Error).message}`)
  }
}
