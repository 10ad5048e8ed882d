import type { Config } from './config'
import type { Db } from './db/client'
import { createAuthenticator } from './modules/auth/authenticator'
import { createKeyRepository } from './modules/auth/keys.repository'
import { createEventHub } from './modules/events/hub'
import { createLlmModule } from './modules/llm'
import { createMcpThread } from './modules/mcp'
import { createHistoryRepository } from './modules/monitoring/history.repository'
import { createMonitor, type Monitor, type MonitorSettings } from './modules/monitoring/monitor'
import { createMonitoringService } from './modules/monitoring/service'
import { createCompletions } from './modules/openai/service'
import { createServerRepository, hasSealedValues } from './modules/servers/repository'
import { createServerService } from './modules/servers/service'
import { createToolCatalog } from './modules/tools/catalog'
import { createToolCallRepository } from './modules/tools/repository'
import type { Logger } from './shared/logger'
import { createAppMetrics } from './shared/metrics'
import { createRateLimiter } from './shared/rate-limit'
import { createSecretBox, loadSecretKey } from './shared/secrets'
import { createSocketRegistry } from './shared/sockets'
import { createPolicy } from './shared/ssrf'

export type ServiceConfig = MonitorSettings &
  Pick<
    Config,
    | 'slowMs'
    | 'upstreamUrl'
    | 'upstreamApiKey'
    | 'upstreamTimeoutMs'
    | 'upstreamIdleTimeoutMs'
    | 'modelsCacheMs'
    | 'chatConcurrency'
    | 'maxSteps'
    | 'toolTimeoutMs'
    | 'toolApprovalTimeoutMs'
    | 'keepAliveMs'
    | 'maxTools'
    | 'secretKey'
    | 'apiKey'
    | 'rateLimit'
    | 'chatRateLimit'
    | 'maxServers'
    | 'allowPrivate'
    | 'allowHosts'
    | 'denyCidrs'
  >

export type Services = ReturnType<typeof createServices>

/** Everything behind the HTTP API, wired together; the worker is started by its owner (main or a test). */
export function createServices({
  db,
  logger,
  config,
  now = Date.now,
}: {
  db: Db
  logger: Logger
  config: ServiceConfig
  now?: () => number
}) {
  const secretKey = loadSecretKey(config.secretKey, db.$client.filename, !hasSealedValues(db))
  if (secretKey.warning) logger.warn(secretKey.warning)
  const metrics = createAppMetrics()
  const keys = createKeyRepository(db)
  const auth = createAuthenticator(keys, config.apiKey, now)
  const repo = createServerRepository(db, createSecretBox(secretKey.key))
  const history = createHistoryRepository(db)
  const toolCalls = createToolCallRepository(db)
  const hub = createEventHub()
  const guard = {
    allowPrivate: config.allowPrivate,
    allowHosts: config.allowHosts,
    denyCidrs: config.denyCidrs,
  }
  const probes = createMcpThread(new URL('./mcp-worker.ts', import.meta.url), {
    slowMs: config.slowMs,
    dbPath: db.$client.filename,
    guard,
  })
  const day = 86_400_000

  // The registry and the monitor hear about each other: registry changes reschedule checks, and every
  // recorded check is published with the server's new state.
  let monitor: Monitor | undefined
  const servers = createServerService({
    repo,
    now,
    maxServers: config.maxServers,
    refusal: createPolicy(guard),
    uptime: () => history.uptimeSince(now() - day),
    onChange: (change) => {
      if (change.type === 'removed') {
        hub.publish('server_removed', change.server)
        void monitor?.removed(change.server.id)
        return
      }
      if (change.type === 'registered') hub.publish('server_registered', change.server)
      else hub.publish('server_update', change.server, { changed: false })
      monitor?.changed(change.server.id)
    },
  })
  monitor = createMonitor({
    repo,
    history,
    prober: probes.probe,
    sessions: probes.sessions,
    settings: config,
    logger,
    now,
    pruneAlso: toolCalls.prune,
    observe: (outcome, seconds) => {
      metrics.checks.inc({ status: outcome.status, reason: outcome.reason ?? '' })
      metrics.checkDuration.observe(seconds)
    },
    onChecked: (ids, changed) => {
      for (const id of ids) hub.publish('server_update', servers.get(id), { changed: changed.has(id) })
    },
  })
  const monitoring = createMonitoringService({ servers, history, toolCalls, monitor, settings: config, now })
  const catalog = createToolCatalog({
    repo,
    transport: probes,
    calls: toolCalls,
    callTimeoutMs: config.toolTimeoutMs,
    logger,
    now,
    observe: (outcome, seconds) => {
      metrics.toolCalls.inc({ outcome })
      metrics.toolCallDuration.observe(seconds)
    },
  })
  const llm = createLlmModule({ config, catalog, metrics, now })
  const sockets = createSocketRegistry()
  metrics.registry.gauge('automcp_servers', 'Registered servers by status', () =>
    repo.countByStatus().map(({ status, n }) => [{ status }, n]),
  )
  metrics.registry.gauge('automcp_websocket_connections', 'Open WebSocket connections by route', () =>
    ['/events', '/chat'].map((route) => [{ route }, sockets.count(route)]),
  )
  metrics.registry.gauge('automcp_chat_streams_active', 'Chats running now', () => [[{}, llm.stats.active]])
  // A revoked key's open sockets close within a second (its chats are refused at once).
  const sweep = setInterval(() => sockets.closeUnless(auth.stillValid, 'API key revoked'), 1_000)
  sweep.unref()
  const chat = {
    ...llm,
    stillValid: auth.stillValid,
    sockets,
    maxChats: config.chatConcurrency,
    chatLimiter: createRateLimiter(config.chatRateLimit),
    logger,
  }

  return {
    servers,
    monitoring,
    monitor,
    chat,
    sockets,
    keys,
    auth,
    limiter: createRateLimiter(config.rateLimit),
    // 30 wrong or missing keys a minute per address, then 429: enough for a misconfigured client to
    // notice, far too few to guess a key.
    authFailures: createRateLimiter(30),
    metrics,
    hub,
    sessions: probes.sessions,
    history,
    catalog,
    toolCalls,
    openai: {
      completions: createCompletions({ ...llm, logger, keepAliveMs: config.keepAliveMs }),
      models: llm.models,
      chatLimiter: chat.chatLimiter,
    },
    /** Stops the worker, closes every MCP session and ends the MCP thread. */
    async stop() {
      clearInterval(sweep)
      sockets.closeAll()
      await monitor?.stop()
      probes.terminate()
    },
  }
}
