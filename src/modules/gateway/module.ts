import type { Logger } from '../../shared/logger'
import type { AppMetrics } from '../../shared/metrics'
import type { McpThread, Notice } from '../mcp'
import type { ServerRepository } from '../servers/repository'
import type { ToolCatalog } from '../tools/catalog'
import { gatewayController } from '.'
import { createGatewayCatalog } from './catalog'
import { createGatewayHttp } from './http'
import { buildOffer, type Scope } from './offer'
import { createGatewayService, type GatewaySettings } from './service'

export { hostRules, rebindingRefusal } from './hosts'

export { maxBodyBytes as gatewayMaxBodyBytes } from './http'

/**
 * `/mcp`, `/sse` and their toolsets' routes, by their pattern: MCP clients' (4 MB bodies, the Host check,
 * bodies read by the MCP transport itself).
 */
export const isGatewayRoute = (pattern: string | undefined) =>
  pattern !== undefined && /^\/(mcp|sse)(\/|$)/.test(pattern)

/**
 * AutoMCP as an MCP server: `/mcp`, `/mcp/{toolset}` and the legacy `/sse`, serving what the healthy
 * servers offer, kept current as their health and lists change.
 */
export function createGatewayModule({
  repo,
  mcp,
  tools,
  scopeOf,
  settings,
  logger,
  metrics,
}: {
  repo: Pick<ServerRepository, 'list' | 'get' | 'headersOf' | 'stdioOf' | 'oauthOf'>
  mcp: Pick<McpThread, 'lists' | 'request'>
  tools: Pick<ToolCatalog, 'call'>
  scopeOf: (toolset: string) => Scope | undefined
  settings: GatewaySettings
  logger: Logger
  metrics: AppMetrics
}) {
  const catalog = createGatewayCatalog({ repo, mcp, logger })
  const service = createGatewayService({
    catalog,
    tools,
    repo,
    mcp,
    scopeOf: (endpoint) => (endpoint === '' ? { name: null, prefix: true } : scopeOf(endpoint)),
    settings,
    logger,
  })
  metrics.registry.gauge('automcp_gateway_sessions', 'Open MCP sessions on /mcp and /sse, by transport', () =>
    (['streamable-http', 'sse'] as const).map((transport) => [
      { transport },
      [...service.sessions.values()].filter((s) => s.transport === transport).length,
    ]),
  )
  let sweeper: ReturnType<typeof setInterval> | undefined
  return {
    controller: gatewayController(createGatewayHttp(service, settings)),
    /** A server was registered, checked, changed or removed (an event published for it). */
    serverEvent: catalog.serverEvent,
    /** A server's notification, from the MCP thread. */
    noticed: (serverId: string, notice: Notice) => void service.noticed(serverId, notice),
    /** A toolset changed or was removed. */
    scopeChanged: catalog.scopeChanged,
    /** The tool names two servers of a toolset (as it would be) offer: refused with `prefix: false`. */
    async collisions(draft: Scope): Promise<string[]> {
      return buildOffer(await catalog.offeredServers(), { ...draft, prefix: false }).toolCollisions
    },
    start() {
      sweeper = setInterval(() => void service.sweep(), Math.min(settings.idleMs / 4, 60_000))
      sweeper.unref?.()
    },
    async stop() {
      if (sweeper) clearInterval(sweeper)
      catalog.stop()
      await service.closeAll()
    },
  }
}
