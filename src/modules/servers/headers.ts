import { eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { type ServerRow, servers } from '../../db/schema'
import type { SecretBox } from '../../shared/secrets'

/** Header values sealed on the way in and opened only for the check that sends them. */
export function createHeaderSeal(box: SecretBox) {
  const sealed = <T extends { headers?: Record<string, string> }>(id: string, settings: T) => {
    const { headers, ...rest } = settings
    if (headers === undefined) return rest
    const names = Object.keys(headers)
    // Nothing to hide in no headers: `{}` is stored as it is (and registration skips a cipher).
    if (names.length === 0) return { ...rest, headers: '{}', headerNames: names }
    return { ...rest, headers: box.seal(JSON.stringify(headers), id), headerNames: names }
  }
  const plainHeaders = (id: string, row: Pick<ServerRow, 'headers' | 'headerNames'>) =>
    // Most servers have none: no need to open anything for each of their checks.
    row.headerNames.length === 0 ? {} : (JSON.parse(box.open(row.headers, id)) as Record<string, string>)
  return { sealed, plainHeaders }
}

/**
 * Rows written before headers were sealed hold them as JSON: seal them now, in one transaction. Also
 * proves the key opens what is stored, so a wrong AUTOMCP_SECRET_KEY stops start-up instead of every check.
 */
export function sealLegacyHeaders(db: Db, box: SecretBox) {
  const rows = db.select({ id: servers.id, headers: servers.headers }).from(servers).all()
  const sample = rows.find((r) => box.isSealed(r.headers))
  if (sample) box.open(sample.headers, sample.id)
  const legacy = rows.filter((r) => !box.isSealed(r.headers) && r.headers !== '{}')
  if (legacy.length === 0) return
  db.transaction((tx) => {
    for (const { id, headers } of legacy) {
      const plain = JSON.parse(headers) as Record<string, string>
      tx.update(servers)
        .set({ headers: box.seal(headers, id), headerNames: Object.keys(plain) })
        .where(eq(servers.id, id))
        .run()
    }
  })
}

/** Whether any stored value is sealed already: then the key that sealed it must be there to open it. */
export const hasSealedValues = (db: Db): boolean =>
  db.select({ id: servers.id }).from(servers).where(sql`${servers.headers} LIKE 'v1:%'`).limit(1).all()
    .length > 0
