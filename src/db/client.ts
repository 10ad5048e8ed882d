import { Database } from 'bun:sqlite'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { type BunSQLiteDatabase, drizzle } from 'drizzle-orm/bun-sqlite'
import { fallbackAutocheckpointPages } from './checkpointer'
import * as schema from './schema'

export type Db = BunSQLiteDatabase<typeof schema> & { $client: Database }

/**
 * Opens (creating its directory) the SQLite file with the pragmas AutoMCP relies on.
 *
 * `synchronous`: in WAL mode every commit is appended to the WAL with write() before it returns, so with
 * NORMAL an acknowledged write survives a crash or `kill -9` of this process; only an OS crash or power
 * loss can drop the last commits (never corrupting the file). FULL adds an fsync per commit for that case.
 */
export function openDb(path: string, synchronous: 'normal' | 'full' = 'normal'): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const sqlite = new Database(path, { create: true, strict: true })
  sqlite.run('PRAGMA journal_mode = WAL')
  sqlite.run(`PRAGMA synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`)
  sqlite.run('PRAGMA busy_timeout = 5000')
  sqlite.run('PRAGMA foreign_keys = ON')
  // Checkpoints normally come from the background thread (./checkpointer.ts).
  if (path !== ':memory:') sqlite.run(`PRAGMA wal_autocheckpoint = ${fallbackAutocheckpointPages}`)
  return drizzle({ client: sqlite, schema }) as Db
}

/** True when the database answers a trivial query: what `/health` reports. */
export function isDbUsable(db: Db): boolean {
  try {
    return db.$client.query('SELECT 1 AS ok').get() !== null
  } catch {
    return false
  }
}
