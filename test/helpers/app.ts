import { createApp } from '../../src/app'
import { loadConfig } from '../../src/config'
import { type Db, openDb } from '../../src/db/client'
import { migrate } from '../../src/db/migrate'
import { createServices, type ServiceConfig } from '../../src/services'
import { createLogger } from '../../src/shared/logger'

export type TestApp = Awaited<ReturnType<typeof startApp>>

/** The admin key every test app accepts (AUTOMCP_API_KEY); `request` and `ws` send it. */
export const adminKey = 'amcp_test-admin-key'

/** Defaults for tests: the real defaults, with checks quick enough to wait for. */
export const testConfig = (overrides: Partial<ServiceConfig> = {}): ServiceConfig => ({
  ...loadConfig([], {}),
  checkTimeoutMs: 2_000,
  apiKey: adminKey,
  ...overrides,
})

/**
 * The real app on a free port over a fresh database with the real migrations. The check worker runs
 * only when `monitor` is set, so registry tests never probe the made-up URLs they register.
 */
export async function startApp({
  db = freshDb(),
  corsOrigins = [] as string[],
  monitor = false,
  config = {} as Partial<ServiceConfig>,
  now = Date.now,
  auth = 'on' as 'on' | 'off',
  metricsPublic = false,
} = {}) {
  const logs: Record<string, unknown>[] = []
  const logger = createLogger('debug', (line) => logs.push(JSON.parse(line)))
  const full = testConfig(config)
  const services = createServices({ db, logger, config: full, now })
  const appConfig = {
    corsOrigins,
    auth,
    metricsPublic,
    allowedHosts: full.allowedHosts,
    publicUrl: full.publicUrl,
  }
  const app = createApp({ db, logger, services, config: appConfig }).listen({
    port: 0,
    hostname: '127.0.0.1',
  })
  services.listening(app.server?.port as number)
  if (monitor) services.monitor.start()
  const base = `http://127.0.0.1:${app.server?.port}`
  let stopped: Promise<void> | undefined
  const request = (path: string, init: RequestInit = {}) =>
    fetch(base + path, {
      ...init,
      headers: { authorization: `Bearer ${adminKey}`, ...(init.headers as object) },
    })
  const send = (method: string, path: string, body?: unknown) =>
    request(path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })
  return {
    app,
    db,
    services,
    base,
    logs,
    request,
    /** The WebSocket URL of `path`, with the admin key as its `token`. */
    ws: (path: string) =>
      `${base.replace('http', 'ws')}${path}${path.includes('?') ? '&' : '?'}token=${adminKey}`,
    post: (path: string, body: unknown) => send('POST', path, body),
    patch: (path: string, body: unknown) => send('PATCH', path, body),
    getJson: async (path: string) => json(await request(path)),
    stop() {
      stopped ??= (async () => {
        await app.stop(true)
        await services.stop()
        if (!closed(db)) db.$client.close()
      })()
      return stopped
    },
  }
}

export function freshDb(path = ':memory:'): Db {
  const db = openDb(path)
  migrate(db)
  return db
}

function closed(db: Db): boolean {
  try {
    db.$client.query('SELECT 1').get()
    return false
  } catch {
    return true
  }
}

/** A server body as the seed's clients send it. */
export const seedServer = (id = 'everything') => ({
  id,
  name: 'Everything',
  url: 'http://127.0.0.1:3001/mcp',
  status: 'healthy',
  last_checked: 1734912000.5,
  capabilities: { tools: true },
  latency_ms: 12.5,
})

/** A response body for assertions to check. */
// biome-ignore lint/suspicious/noExplicitAny: the assertions that follow are the type check
export const json = (res: Response): Promise<any> => res.json()
