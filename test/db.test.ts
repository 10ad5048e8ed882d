import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { readMigrationFiles } from 'drizzle-orm/migrator'
import journal from '../migrations/meta/_journal.json' with { type: 'json' }
import { renderEmbeddedMigrations } from '../scripts/embed-migrations'
import { openDb } from '../src/db/client'
import { embeddedMigrations, migrate } from '../src/db/migrate'
import { tempDir } from './helpers/process'

const root = join(import.meta.dir, '..')

const schemaOf = (db: ReturnType<typeof openDb>) =>
  db.$client
    .query("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
    .all()

describe('migrations', () => {
  test('the embedded migrations are exactly what drizzle-kit wrote to migrations/', () => {
    const fromDisk = readMigrationFiles({ migrationsFolder: join(root, 'migrations') })
    expect(embeddedMigrations()).toEqual(fromDisk)
    expect(fromDisk.length).toBe(journal.entries.length)
  })

  test('src/db/migrations.gen.ts is up to date (run `npm run db:generate` after changing the schema)', () => {
    const current = readFileSync(join(root, 'src/db/migrations.gen.ts'), 'utf8')
    expect(current).toBe(renderEmbeddedMigrations(journal.entries.map((e) => e.tag)))
  })

  test('create the tables, and running them twice is a no-op', () => {
    const db = openDb(join(tempDir(), 'twice.db'))
    migrate(db)
    const once = schemaOf(db)
    const applied = db.$client.query('SELECT hash, created_at FROM __drizzle_migrations').all()
    expect(once.map((r) => (r as { name: string }).name)).toEqual(
      expect.arrayContaining(['servers', 'checks']),
    )
    expect(applied).toHaveLength(journal.entries.length)

    migrate(db)
    expect(schemaOf(db)).toEqual(once)
    expect(db.$client.query('SELECT hash, created_at FROM __drizzle_migrations').all()).toEqual(applied)
    db.$client.close()
  })
})

describe('openDb', () => {
  test('creates the directory and sets WAL, a busy timeout, foreign keys and synchronous', () => {
    const path = join(tempDir(), 'nested', 'deeper', 'automcp.db')
    const db = openDb(path)
    const pragma = (name: string) => Object.values(db.$client.query(`PRAGMA ${name}`).get() as object)[0]
    expect(pragma('journal_mode')).toBe('wal')
    expect(pragma('busy_timeout')).toBe(5000)
    expect(pragma('foreign_keys')).toBe(1)
    expect(pragma('synchronous')).toBe(1) // NORMAL
    db.$client.close()

    const full = openDb(path, 'full')
    expect(Object.values(full.$client.query('PRAGMA synchronous').get() as object)[0]).toBe(2)
    full.$client.close()
  })
})
