import { eq, or, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { type ServerRow, servers } from '../../db/schema'
import type { SecretBox } from '../../shared/secrets'

type Secrets = Record<string, string>

// A sealed value opens only in the row and field it was sealed for: headers under the server's id,
// a stdio server's environment under `<id> env`, so a value copied from one field to the other fails.
const envContext = (id: string) => `${id} env`

/**
 * Header values and a stdio server's environment, sealed on the way in and opened only for the check or
 * the child that uses them. The names are kept in clear: the API shows them.
 */
export function createSecretSeal(box: SecretBox) {
  const seal = (values: Secrets, context: string) => {
    const names = Object.keys(values)
    // Nothing to hide in none: `{}` is stored as it is (and registration skips a cipher).
    return { text: names.length === 0 ? '{}' : box.seal(JSON.stringify(values), context), names }
  }
  const sealed = <T extends { headers?: Secrets; env?: Secrets }>(id: string, settings: T) => {
    const { headers, env, ...rest } = settings
    const out: Record<string, unknown> = rest
    if (headers !== undefined) {
      const { text, names } = seal(headers, id)
      Object.assign(out, { headers: text, headerNames: names })
    }
    if (env !== undefined) {
      const { text, names } = seal(env, envContext(id))
      Object.assign(out, { env: text, envNames: names })
    }
    return out as Omit<T, 'headers' | 'env'> & {
      headers?: string
      headerNames?: string[]
      env?: string
      envNames?: string[]
    }
  }
  // Most servers have none: no need to open anything for each of their checks.
  const plainHeaders = (id: string, row: Pick<ServerRow, 'headers' | 'headerNames'>): Secrets =>
    row.headerNames.length === 0 ? {} : (JSON.parse(box.open(row.headers, id)) as Secrets)
  const plainEnv = (id: string, row: Pick<ServerRow, 'env' | 'envNames'>): Secrets =>
    row.envNames.length === 0 ? {} : (JSON.parse(box.open(row.env, envContext(id))) as Secrets)
  return { sealed, plainHeaders, plainEnv }
}

/**
 * Rows written before headers were sealed hold them as JSON: seal them now, in one transaction. Also
 * proves the key opens what is stored, so a wrong AUTOMCP_SECRET_KEY stops start-up instead of every check.
 */
export function sealLegacyHeaders(db: Db, box: SecretBox) {
  const rows = db.select({ id: servers.id, headers: servers.headers, env: servers.env }).from(servers).all()
  const sample = rows.find((r) => box.isSealed(r.headers))
  if (sample) box.open(sample.headers, sample.id)
  const envSample = rows.find((r) => box.isSealed(r.env))
  if (envSample) box.open(envSample.env, envContext(envSample.id))
  const legacy = rows.filter((r) => !box.isSealed(r.headers) && r.headers !== '{}')
  if (legacy.length === 0) return
  db.transaction((tx) => {
    for (const { id, headers } of legacy) {
      const plain = JSON.parse(headers) as Secrets
      tx.update(servers)
        .set({ headers: box.seal(headers, id), headerNames: Object.keys(plain) })
        .where(eq(servers.id, id))
        .run()
    }
  })
}

/** Whether any stored value is sealed already: then the key that sealed it must be there to open it. */
export const hasSealedValues = (db: Db): boolean =>
  db
    .select({ id: servers.id })
    .from(servers)
    .where(or(sql`${servers.headers} LIKE 'v1:%'`, sql`${servers.env} LIKE 'v1:%'`))
    .limit(1)
    .all().length > 0
