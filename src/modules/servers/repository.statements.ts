import { and, eq, sql } from 'drizzle-orm'
import type { Db } from '../../db/client'
import { type NewServerRow, servers } from '../../db/schema'

// A changed endpoint makes the last check meaningless: forget it rather than show a stale status.
export const resetCheckState = {
  status: 'unknown',
  statusReason: null,
  capabilities: {},
  latencyMs: null,
  lastCheckedAt: null,
  activeTransport: null,
  handshakeMs: null,
  // A new program gets a new child: the old one's pid, restarts and exit are not its own.
  pid: null,
  processStartedAt: null,
  restarts: 0,
  lastExit: null,
  // Tokens are bound to the resource and a registered client to its authorization server.
  oauthClient: null,
  oauthTokens: null,
  oauthDiscovery: null,
  oauthChallenge: null,
  authState: null,
  authScopes: [] as string[],
  authExpiresAt: null,
  authError: null,
} as const

/**
 * The `servers` statements of the hot paths, prepared once: registration (a read, then an insert or an
 * update) and the state every check stores.
 */
export function prepareServerStatements(db: Db) {
  const p = sql.placeholder
  const settingsParams = {
    name: p('name'),
    url: p('url'),
    transport: p('transport'),
    headers: p('headers'),
    headerNames: p('headerNames'),
    command: p('command'),
    args: p('args'),
    env: p('env'),
    envNames: p('envNames'),
    cwd: p('cwd'),
    oauth: p('oauth'),
    authGrant: p('authGrant'),
    intervalS: p('intervalS'),
    timeoutMs: p('timeoutMs'),
    failureThreshold: p('failureThreshold'),
    successThreshold: p('successThreshold'),
    tags: p('tags'),
    updatedAt: p('now'),
  }
  const byId = db
    .select()
    .from(servers)
    .where(eq(servers.id, p('id')))
    .prepare()
  const endpointOf = db
    .select({
      url: servers.url,
      transport: servers.transport,
      headers: servers.headers,
      headerNames: servers.headerNames,
      command: servers.command,
      args: servers.args,
      env: servers.env,
      envNames: servers.envNames,
      cwd: servers.cwd,
      oauth: servers.oauth,
    })
    .from(servers)
    .where(eq(servers.id, p('id')))
    .prepare()
  const insert = db
    .insert(servers)
    .values({ ...settingsParams, id: p('id'), createdAt: p('now'), generation: p('generation') })
    .prepare()
  // drizzle types placeholders for insert values only; update's `set` binds them the same way.
  const settingsSet = settingsParams as unknown as Partial<NewServerRow>
  const replace = db
    .update(servers)
    .set(settingsSet)
    .where(eq(servers.id, p('id')))
    .prepare()
  const replaceAndReset = db
    .update(servers)
    .set({ ...settingsSet, ...resetCheckState, generation: p('generation') as unknown as number })
    .where(eq(servers.id, p('id')))
    .prepare()
  const stateParams = {
    status: p('status'),
    statusReason: p('reason'),
    latencyMs: p('latencyMs'),
    handshakeMs: sql`coalesce(${p('handshakeMs')}, ${servers.handshakeMs})`,
    lastCheckedAt: p('checkedAt'),
    activeTransport: sql`coalesce(${p('transport')}, ${servers.activeTransport})`,
  } as unknown as Partial<NewServerRow>
  const ofGeneration = and(eq(servers.id, p('id')), eq(servers.generation, p('generation')))
  const saveState = db
    .update(servers)
    .set(stateParams)
    .where(ofGeneration)
    .returning({ id: servers.id })
    .prepare()
  const saveStateAndCapabilities = db
    .update(servers)
    .set({ ...stateParams, capabilities: p('capabilities') as unknown as Record<string, unknown> })
    .where(ofGeneration)
    .returning({ id: servers.id })
    .prepare()
  return { byId, endpointOf, insert, replace, replaceAndReset, saveState, saveStateAndCapabilities }
}
