import type { Config } from '../config'
import { type Db, openDb } from '../db/client'
import { migrate } from '../db/migrate'
import { fail } from './fail'

/** The configured database, migrated; a command stops with exit 2 naming the setting when it cannot. */
export function openDatabase(config: Config): Db {
  try {
    const db = openDb(config.db, config.dbSynchronous)
    migrate(db)
    return db
  } catch (e) {
    fail(`cannot open the database at --db/AUTOMCP_DB "${config.db}": ${(e as Error).message}`)
  }
}
