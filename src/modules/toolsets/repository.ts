import { randomBytes } from 'node:crypto'
import { asc, eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { type ToolsetRow, toolsets } from '../../db/schema'

export type ToolsetRepository = ReturnType<typeof createToolsetRepository>

/** What a toolset is made of, as stored; the name is set once, at creation. */
export type ToolsetSettings = Pick<
  ToolsetRow,
  'description' | 'servers' | 'tags' | 'tools' | 'prefix' | 'discovery'
>

/** Stored toolsets: listed, found by name, inserted, changed, removed. */
export function createToolsetRepository(db: Db) {
  const byName = db
    .select()
    .from(toolsets)
    .where(eq(toolsets.name, sql.placeholder('name')))
    .prepare()
  return {
    list: (): ToolsetRow[] => db.select().from(toolsets).orderBy(asc(toolsets.name)).all(),

    byName: (name: string): ToolsetRow | undefined => byName.get({ name }),

    /** undefined when the name is taken. */
    insert(name: string, settings: ToolsetSettings, now: number): ToolsetRow | undefined {
      return db
        .insert(toolsets)
        .values({
          id: `toolset_${randomBytes(4).toString('hex')}`,
          name,
          ...settings,
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing({ target: toolsets.name })
        .returning()
        .get()
    },

    /** undefined when there is no such toolset. */
    update(name: string, changes: Partial<ToolsetSettings>, now: number): ToolsetRow | undefined {
      return db
        .update(toolsets)
        .set({ ...changes, updatedAt: now })
        .where(eq(toolsets.name, name))
        .returning()
        .get()
    },

    /** false when there is no such toolset. */
    remove: (name: string): boolean =>
      db.delete(toolsets).where(eq(toolsets.name, name)).returning({ id: toolsets.id }).all().length > 0,
  }
}
