import { describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
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

describe('migration clear_url_userinfo (#12)', () => {
  test('drops user:password@ from the URLs stored before it, and leaves no copy in the file', () => {
    const dir = tempDir()
    const db = openDb(join(dir, 'old.db'))
    const all = embeddedMigrations()
    const at = journal.entries.findIndex((e) => e.tag.endsWith('_clear_url_userinfo'))
    expect(at).toBeGreaterThan(0)
    migrate(db, all.slice(0, at))
    const stored: Record<string, [string, string]> = {
      creds: [
        `http://alice:s3cret-pw${'-long'.repeat(40)}@mcp.example.test:8080/mcp?x=1#f`,
        'http://mcp.example.test:8080/mcp?x=1#f',
      ],
      user: ['https://bob@h.test', 'https://h.test'],
      twoAts: ['http://a@b:c@h.test/p', 'http://h.test/p'],
      // The parser ends the authority at a backslash too: "u@x" is in the path here.
      backslash: ['http://h.test\\u@x', 'http://h.test\\u@x'],
      inPath: ['http://h.test/a@b?c=d@e', 'http://h.test/a@b?c=d@e'],
      plain: ['http://plain.test/mcp', 'http://plain.test/mcp'],
    }
    for (const [id, [url]] of Object.entries(stored))
      db.$client.run('INSERT INTO servers (id, name, url, created_at, updated_at) VALUES (?, ?, ?, 0, 0)', [
        id,
        id,
        url,
      ])

    migrate(db)
    const urls = db.$client.query('SELECT id, url FROM servers').all() as { id: string; url: string }[]
    expect(Object.fromEntries(urls.map((r) => [r.id, r.url]))).toEqual(
      Object.fromEntries(Object.entries(stored).map(([id, [, after]]) => [id, after])),
    )
    // Not in the pages the rows left either, once the WAL is written back.
    db.$client.run('PRAGMA wal_checkpoint(TRUNCATE)')
    db.$client.close()
    for (const file of readdirSync(dir))
      expect({ file, leaked: readFileSync(join(dir, file)).includes('s3cret-pw') }).toEqual({
        file,
        leaked: false,
      })
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
