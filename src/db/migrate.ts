import type { MigrationMeta } from 'drizzle-orm/migrator'
import type { SQLiteSession, SQLiteSyncDialect } from 'drizzle-orm/sqlite-core'
import type { Db } from './client'
import { journal, sqlByTag } from './migrations.gen'

/** The embedded migrations in the shape drizzle's migrator reads from disk (same split, same hash). */
export function embeddedMigrations(): MigrationMeta[] {
  return journal.entries.map((entry) => {
    const text = sqlByTag[entry.tag]
    if (text === undefined) throw new Error(`migration ${entry.tag} is in the journal but not embedded`)
    return {
      sql: text.split('--> statement-breakpoint'),
      bps: entry.breakpoints,
      folderMillis: entry.when,
      hash: new Bun.CryptoHasher('sha256').update(text).digest('hex'),
    }
  })
}

/**
 * Applies pending migrations in one transaction through drizzle's own migrator; a no-op when up to date.
 * `migrations`: the embedded ones; a test of one migration passes those before it, to fill in old data.
 */
export function migrate(db: Db, migrations: MigrationMeta[] = embeddedMigrations()): void {
  // drizzle-orm/bun-sqlite/migrator reads the files from disk; its dialect does the rest from memory.
  const { dialect, session } = db as unknown as {
    dialect: SQLiteSyncDialect
    session: SQLiteSession<'sync', unknown, Record<string, never>, Record<string, never>>
  }
  dialect.migrate(migrations, session, undefined)
}
