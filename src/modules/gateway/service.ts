// The gateway's sessions: one MCP server per client session, over streamable HTTP (`/mcp`) or the legacy
// HTTP+SSE transport (`/sse`), each bound to the API key that opened it and to its endpoint. Sessions are
// capped per key and closed when idle; what changes in their offer, what servers log and which
// subscribed resources changed reach them here.
import type { Logger } from '../../shared/logger'
import type { ClientCaps, McpThread, Notice } from '../mcp'
import type { ServerRepository } from '../servers/repository'
import { targetOf } from '../servers/target'
import type { ToolCatalog } from '../tools/catalog'
import { selectsServer } from '../toolsets/selection'
import type { GatewayCatalog, OfferPart } from './catalog'
import type { Offer, Scope } from './offer'
import { callFor, createSubscriptions, tellListChanged } from './session-parts'
import type { Offers, SessionContext } from './types'

type SdkSide = typeof import('./mcp-server')
type SdkServer = Awaited<ReturnType<SdkSide['createGatewayServer']>>

/** One client's session. */
export type GatewaySession = {
  id: string
  /** The API key (or, with auth off, the address) that opened it: only it may use the session. */
  owner: string
  /** Its endpoint: a toolset's name, '' for `/mcp`. */
  endpoint: string
  transport: 'streamable-http' | 'sse'
  server?: SdkServer
  /** Answers one of its HTTP requests (its transport's). */
  handle?: (request: Request) => Promise<Response>
  close: () => Promise<void>
  lastSeen: number
  caps?: ClientCaps
  /** Resource URIs it subscribed to, with their servers. */
  subscriptions: Map<string, string>
  /** Its calls in flight, by server, ended when the server stops being offered. */
  calls: Map<string, Set<AbortController>>
  /** List changes not yet told (at most one notification of each a second). */
  pending: Set<OfferPart>
  toldAt: number
  timer?: ReturnType<typeof setTimeout>
}

export type GatewaySettings = {
  maxSessionsPerKey: number
  idleMs: number
  discoveryThreshold: number
}

// prompts/get, resources/read, completion/complete: a few round trips at most.
const requestTimeoutMs = 30_000

export type GatewayService = ReturnType<typeof createGatewayService>

export function createGatewayService({
  catalog,
  tools,
  repo,
  mcp,
  scopeOf,
  settings,
  logger,
  now = Date.now,
}: {
  catalog: GatewayCatalog
  tools: Pick<ToolCatalog, 'call'>
  repo: Pick<ServerRepository, 'list' | 'get' | 'headersOf' | 'stdioOf' | 'oauthOf'>
  mcp: Pick<McpThread, 'request'>
  /** The endpoint's scope: a toolset's (undefined when there is no such toolset), or all of `/mcp`. */
  scopeOf: (endpoint: string) => Scope | undefined
  settings: GatewaySettings
  logger: Logger
  now?: () => number
}) {
  const sessions = new Map<string, GatewaySession>()
  let sdk: Promise<SdkSide> | undefined
  const loadSdk = () => {
    sdk ??= import('./mcp-server')
    return sdk
  }

  const scope = (endpoint: string) => () => scopeOf(endpoint)
  const offerOf = (endpoint: string) => catalog.offer(endpoint, scope(endpoint))

  catalog.onChange((endpoint, changed) => {
    for (const s of sessions.values()) if (s.endpoint === endpoint) tellListChanged(s, changed, now)
  })

  /** A request to one server, its result as the server gave it. */
  const forward = (
    serverId: string,
    method: string,
    params: Record<string, unknown>,
    signal: AbortSignal,
  ) => {
    const row = repo.get(serverId)
    const target = row && targetOf(row, repo)
    if (!target) return Promise.reject(new Error('the server is no longer registered'))
    return mcp.request(target, method, params, requestTimeoutMs, signal)
  }
  const subscriptions = createSubscriptions(forward)
  catalog.onGone((id) => {
    for (const s of sessions.values())
      for (const c of s.calls.get(id) ?? []) c.abort(new Error('the server is no longer healthy'))
  })

  /** What the endpoint's registered servers said they can do at their last checks, whatever their status. */
  function offersOf(endpoint: string): Offers {
    const sc = scopeOf(endpoint)
    const offers = { prompts: false, resources: false, completions: false }
    if (!sc) return offers
    const selection = { servers: sc.servers ?? null, tags: sc.tags ?? null }
    for (const row of repo.list()) {
      if (!selectsServer(selection, row)) continue
      const caps = (row.capabilities as { capabilities?: Record<string, unknown> } | null)?.capabilities ?? {}
      offers.prompts ||= caps.prompts !== undefined
      offers.resources ||= caps.resources !== undefined
      offers.completions ||= caps.completions !== undefined
    }
    return offers
  }

  function context(s: GatewaySession): SessionContext {
    return {
      id: s.id,
      offer: () => offerOf(s.endpoint),
      offers: () => offersOf(s.endpoint),
      // A toolset that asks for it, or `/mcp` over AUTOMCP_DISCOVERY_THRESHOLD tools.
      discovery: (offer: Offer) =>
        offer.discovery || (s.endpoint === '' && offer.tools.length > settings.discoveryThreshold),
      initialized: (caps) => {
        s.caps = caps
      },
      callTool: (route, args, signal, link) => callFor(s, tools, route, args, signal, link),
      request: forward,
      subscribe: (uri, serverId) => subscriptions.subscribe(s, uri, serverId),
      unsubscribe: (uri) => subscriptions.unsubscribe(s, uri),
    }
  }

  /** A server's notification: its log lines and its subscribed resources' changes reach the sessions. */
  async function noticed(serverId: string, notice: Notice) {
    if (notice.type === 'list_changed') return catalog.listsChanged(serverId)
    const { wantsLog } = await loadSdk()
    for (const s of sessions.values()) {
      const server = s.server
      if (!server) continue
      if (notice.type === 'resource_updated') {
        if (s.subscriptions.get(notice.uri) === serverId)
          void server.sendResourceUpdated({ uri: notice.uri }).catch(() => {})
        continue
      }
      const offer = await offerOf(s.endpoint)
      const from = offer.servers.get(serverId)
      if (!from) continue
      const params = { ...notice.params, logger: notice.params.logger ?? from.name } as never
      if (wantsLog(server, (notice.params.level ?? 'info') as never, s.id))
        void server.sendLoggingMessage(params, s.id).catch(() => {})
    }
  }

  return {
    sessions,
    loadSdk,
    /** Whether the endpoint exists: `/mcp`, or a toolset's. */
    serves: (endpoint: string) => endpoint === '' || scopeOf(endpoint) !== undefined,
    context,
    noticed,
    /** How many sessions `owner` has open. */
    countOf: (owner: string) => {
      let n = 0
      for (const s of sessions.values()) if (s.owner === owner) n++
      return n
    },
    touch(s: GatewaySession) {
      s.lastSeen = now()
    },
    /** Forgets a session that ended: its subscriptions and calls go with it. */
    async ended(s: GatewaySession) {
      if (!sessions.delete(s.id)) return
      if (s.timer) clearTimeout(s.timer)
      for (const calls of s.calls.values()) for (const c of calls) c.abort(new Error('the session ended'))
      for (const uri of [...s.subscriptions.keys()]) await subscriptions.unsubscribe(s, uri)
      if (![...sessions.values()].some((o) => o.endpoint === s.endpoint)) catalog.unwatch(s.endpoint)
    },
    /** Closes the sessions idle for longer than the setting. */
    async sweep() {
      const before = now() - settings.idleMs
      for (const s of [...sessions.values()]) if (s.lastSeen < before) await s.close().catch(() => {})
    },
    async closeAll() {
      await Promise.all([...sessions.values()].map((s) => s.close().catch(() => {})))
    },
    logger,
  }
}
