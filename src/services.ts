import type { Config } from './config'
import type { Db } from './db/client'
import { createAuthModule } from './modules/auth/module'
import { createChatModule } from './modules/chat/module'
import { dashboardController } from './modules/dashboard'
import { createStatusBoard } from './modules/dashboard/status'
import { statusController } from './modules/dashboard/status-routes'
import { createEventsModule } from './modules/events/module'
import { createGatewayModule } from './modules/gateway/module'
import { createKeysModule } from './modules/keys/module'
import { createLlmModule } from './modules/llm'
import { createMcpThread, endOrphans, stdioEnabled } from './modules/mcp'
import { createMonitoringModule } from './modules/monitoring/module'
import type { Monitor } from './modules/monitoring/monitor'
import { createOAuthModule } from './modules/oauth/module'
import { createOpenaiModule } from './modules/openai/module'
import { createServersModule } from './modules/servers/module'
import { createProcessTracker } from './modules/servers/processes'
import { hasSealedValues } from './modules/servers/repository'
import { createToolsModule } from './modules/tools/module'
import { createToolsetsModule } from './modules/toolsets/module'
import type { Logger } from './shared/logger'
import { createAppMetrics } from './shared/metrics'
import { createSecretBox, loadSecretKey } from './shared/secrets'
import { createSocketRegistry } from './shared/sockets'
import { createPolicy } from './shared/ssrf'
import { DAY } from './shared/time'

/** The settings the modules read; the rest (where to listen, the database, the log, the app's) are main's. */
export type ServiceConfig = Omit<
  Config,
  'host' | 'db' | 'dbSynchronous' | 'logLevel' | 'corsOrigins' | 'metricsPublic'
>

export type Services = ReturnType<typeof createServices>

/**
 * Every module, wired together: each is created by its `createXModule` and hears about the others only
 * through what is passed here. The monitor's worker is started by its owner (main or a test).
 */
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
  const sockets = createSocketRegistry()
  metrics.registry.gauge('automcp_websocket_connections', 'Open WebSocket connections by route', () =>
    ['/events', '/chat'].map((route) => [{ route }, sockets.count(route)]),
  )
  const auth = createAuthModule({ db, apiKey: config.apiKey, rateLimit: config.rateLimit, sockets, now })
  const guard = {
    allowPrivate: config.allowPrivate,
    allowHosts: config.allowHosts,
    denyCidrs: config.denyCidrs,
  }
  const stdio = {
    enabled: stdioEnabled(config.stdio, config.auth),
    commands: config.stdioCommands,
    maxChildren: config.maxStdio,
  }
  const mcp = createMcpThread(
    new URL('./mcp-worker.ts', import.meta.url),
    {
      slowMs: config.slowMs,
      dbPath: db.$client.filename,
      guard,
      stdio,
    },
    {
      onProcess: (event) => processChanged(event),
      onOAuth: (event) => oauth.service.learnt(event),
      onNotice: (serverId, notice) => gateway.noticed(serverId, notice),
    },
  )
  const events = createEventsModule({ snapshotJson: () => servers.service.listText(), sockets })

  // The registry and the monitor hear about each other: registry changes reschedule checks, and every
  // recorded check is published with the server's new state.
  let monitor: Monitor | undefined
  const servers = createServersModule({
    db,
    box: createSecretBox(secretKey.key),
    metrics,
    now,
    maxServers: config.maxServers,
    refusal: createPolicy(guard),
    stdio,
    logs: mcp.logs,
    beforeRemove: (row) => oauth.service.revoke(row),
    uptime: () => monitoring.history.uptimeSince(now() - DAY),
    onChange: (change) => {
      if (change.type === 'removed') {
        events.hub.publish('server_removed', change.server)
        void monitor?.removed(change.server.id)
        return
      }
      if (change.type === 'registered') events.hub.publish('server_registered', change.server)
      else events.hub.publish('server_update', change.server, { changed: false })
      // The old endpoint's session (and a stdio server's child) ends now, not at the next check.
      if (change.type === 'updated' && change.moved) mcp.sessions.close(change.server.id).catch(() => {})
      monitor?.changed(change.server.id)
    },
  })
  // Children a previous run could not end (it was killed) are sent SIGTERM now, before the first check
  // can start new ones (SIGKILL follows 5 s later for any that stay).
  void endOrphans(servers.repo.takeRecordedProcesses()).then((pids) => {
    if (pids.length > 0) logger.warn('ended stdio servers a previous run left running', { pids })
  })

  const processChanged = createProcessTracker({
    service: servers.service,
    logger,
    metrics,
    publish: (server) => events.hub.publish('server_update', server, { changed: false }),
    recheck: (id) => monitor?.changed(id),
  })

  // Where a browser reaches AutoMCP: configured, or this process once it listens (tests listen on port 0).
  let port = config.port
  const publicUrl = () => config.publicUrl ?? `http://localhost:${port}`
  const oauth = createOAuthModule({
    repo: servers.repo,
    thread: mcp.oauth,
    publicUrl,
    clientIdUrl: config.oauthClientIdUrl,
    recheck: (id) => monitor?.changed(id),
    publish: (id) => events.hub.publish('server_update', servers.service.get(id), { changed: false }),
    logger,
    now,
  })

  const tools = createToolsModule({
    db,
    metrics,
    repo: servers.repo,
    transport: mcp,
    callTimeoutMs: config.toolTimeoutMs,
    logger,
    now,
  })
  const monitoring = createMonitoringModule({
    db,
    metrics,
    servers: servers.service,
    toolCalls: tools.calls,
    repo: servers.repo,
    prober: mcp.probe,
    sessions: mcp.sessions,
    settings: config,
    logger,
    now,
    onChecked: (ids, changed) => {
      for (const id of ids)
        events.hub.publish('server_update', servers.service.get(id), { changed: changed.has(id) })
    },
  })
  monitor = monitoring.monitor
  // Toolsets name servers by id and keys name toolsets: each side checks the other before a change.
  const toolsets = createToolsetsModule({
    db,
    hasServer: (id) => servers.repo.get(id) !== undefined,
    keysLimitedTo: auth.keys.countLimitedTo,
    collisions: (draft) => gateway.collisions(draft),
    onChange: () => gateway.scopeChanged(),
    now,
  })
  const keys = createKeysModule({
    keys: auth.keys,
    toolsetExists: (name) => toolsets.repo.byName(name) !== undefined,
    now,
  })
  const llm = createLlmModule({ config, catalog: tools.catalog, metrics, now })
  const chat = createChatModule({
    llm,
    stillValid: auth.authenticator.stillValid,
    sockets,
    chatConcurrency: config.chatConcurrency,
    chatRateLimit: config.chatRateLimit,
    metrics,
    logger,
  })
  const openai = createOpenaiModule({
    llm,
    chatLimiter: chat.chatLimiter,
    keepAliveMs: config.keepAliveMs,
    logger,
  })

  const gateway = createGatewayModule({
    repo: servers.repo,
    mcp,
    tools: tools.catalog,
    scopeOf: (name) => toolsets.repo.byName(name),
    settings: {
      maxSessionsPerKey: config.gatewaySessionsPerKey,
      idleMs: config.gatewayIdleMs,
      discoveryThreshold: config.discoveryThreshold,
    },
    logger,
    metrics,
  })
  // Whatever changes a server (a check, an edit, a removal) is published: the gateway follows that.
  events.hub.listen((type, data) => {
    if (type.startsWith('server_') && data && typeof (data as { id?: unknown }).id === 'string')
      gateway.serverEvent((data as { id: string }).id)
  })
  gateway.start()

  return {
    /** The controllers of the modules, in the order the app mounts them. */
    controllers: {
      servers: servers.controller,
      monitoring: monitoring.controller,
      events: events.controller,
      chat: chat.controller,
      tools: tools.controller,
      openai: openai.controller,
      oauth: oauth.controller,
      gateway: gateway.controller,
      dashboard: dashboardController(),
      /** The public status page and badges: absent (their routes do not exist) unless turned on. */
      statusPage:
        config.statusPage === 'public'
          ? statusController(
              createStatusBoard({
                servers: () => servers.repo.list(),
                uptimeSince: monitoring.history.uptimeSince,
                now,
              }),
            )
          : undefined,
      toolsets: toolsets.controller,
      keys: keys.controller,
    },
    /** The port the app listens on: the default base of OAuth's redirect URI. */
    listening(actual: number) {
      port = actual
    },
    oauth: oauth.service,
    servers: servers.service,
    monitoring: monitoring.service,
    monitor: monitoring.monitor,
    chat: chat.deps,
    openai: openai.deps,
    sockets,
    keys: auth.keys,
    toolsets,
    auth: auth.authenticator,
    limiter: auth.limiter,
    authFailures: auth.failures,
    metrics,
    hub: events.hub,
    sessions: mcp.sessions,
    history: monitoring.history,
    catalog: tools.catalog,
    toolCalls: tools.calls,
    /** Stops the worker, closes every MCP session and ends the MCP thread. */
    async stop() {
      auth.stop()
      sockets.closeAll()
      await gateway.stop()
      await monitoring.stop()
      tools.calls.flush()
      mcp.terminate()
    },
  }
}
