// The gateway's view of the servers: which are offered now (healthy, or degraded for being slow), what
// each lists (asked of the MCP thread once, then kept until the server says its lists changed), and the
// offer of every endpoint that has clients, rebuilt when any of that changes and compared part by part
// so that clients are told only what changed.
import type { ServerRow } from '../../db/schema'
import type { Logger } from '../../shared/logger'
import type { McpThread, ServerLists } from '../mcp'
import type { ServerRepository } from '../servers/repository'
import { targetOf } from '../servers/target'
import { offersTools } from '../tools/selection'
import { buildOffer, type Offer, type OfferedServer, offerParts, type Scope } from './offer'

export type GatewayCatalog = ReturnType<typeof createGatewayCatalog>
export type OfferPart = 'tools' | 'prompts' | 'resources'

// A server that cannot list what it offers quickly is left out until it can.
const listTimeoutMs = 5_000
// Changes that arrive together (a sweep of checks) make one rebuild.
const settleMs = 50

type Watched = {
  scope: () => Scope | undefined
  parts?: ReturnType<typeof offerParts>
  offer?: Promise<Offer>
  /** The collisions last logged: each set is logged once. */
  collisions?: string
}

/** Not a plain-HTTP server (which answers `/health`, not MCP): what `targetOf` decides, without secrets. */
const speaksMcp = (row: ServerRow) =>
  (row.transport === 'auto' ? row.activeTransport : row.transport) !== 'http'

export function createGatewayCatalog({
  repo,
  mcp,
  logger,
}: {
  repo: Pick<ServerRepository, 'list' | 'get' | 'headersOf' | 'stdioOf' | 'oauthOf'>
  mcp: Pick<McpThread, 'lists'>
  logger: Logger
}) {
  const lists = new Map<string, Promise<ServerLists>>()
  // What decides whether and how a server is offered, as last seen: a change to it rebuilds the offers.
  const seen = new Map<string, { sig: string; generation: number }>()
  // Offered servers whose listing failed: any later event for one rebuilds (retried at its next check).
  const unlisted = new Set<string>()
  const watched = new Map<string, Watched>()
  let offered: Promise<OfferedServer[]> | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  const listeners = new Set<(key: string, changed: OfferPart[], offer: Offer) => void>()
  const gone = new Set<(serverId: string) => void>()

  // Whether the server is offered, and what its offer is named and selected by (no secret is opened).
  const signature = (row: ServerRow | undefined) =>
    row ? JSON.stringify([offersTools(row) && speaksMcp(row), row.name, row.tags, row.generation]) : ''

  function listsOf(row: ServerRow): Promise<ServerLists> | undefined {
    const target = targetOf(row, repo)
    if (!target) return undefined
    let p = lists.get(row.id)
    if (!p) {
      p = mcp.lists(target, listTimeoutMs)
      lists.set(row.id, p)
      // A failed listing is asked again next time rather than kept.
      p.then(
        () => unlisted.delete(row.id),
        (e) => {
          unlisted.add(row.id)
          if (lists.get(row.id) === p) lists.delete(row.id)
          logger.warn('gateway: a server did not list what it offers', { server: row.id, error: String(e) })
        },
      )
    }
    return p
  }

  /** The servers offered now, oldest first, with their lists. */
  function offeredServers(): Promise<OfferedServer[]> {
    offered ??= (async () => {
      const rows = repo
        .list()
        .filter((r) => offersTools(r))
        .sort((a, b) => a.createdAt - b.createdAt)
      const all = await Promise.all(
        rows.map(async (row): Promise<OfferedServer | undefined> => {
          seen.set(row.id, { sig: signature(row), generation: row.generation })
          const l = await listsOf(row)?.catch(() => undefined)
          return (
            l && {
              id: row.id,
              name: row.name,
              tags: row.tags,
              healthy: row.status === 'healthy',
              latencyMs: row.latencyMs,
              lists: l,
            }
          )
        }),
      )
      return all.filter((s): s is OfferedServer => s !== undefined)
    })()
    return offered as Promise<OfferedServer[]>
  }

  /** The offer of the endpoint `key` (a toolset's name, '' for `/mcp`); empty for a toolset that is gone. */
  function offer(key: string, scope: () => Scope | undefined): Promise<Offer> {
    const w: Watched = watched.get(key) ?? { scope }
    watched.set(key, w)
    w.offer ??= offeredServers().then((servers) => {
      const s = scope()
      const built = buildOffer(s ? servers : [], s ?? { name: key, prefix: true })
      const collisions = JSON.stringify(built.collisions)
      if (built.collisions.length > 0 && collisions !== w.collisions)
        logger.warn('gateway: names or URIs offered by two servers are served by the older one', {
          endpoint: key || '/mcp',
          collisions: built.collisions.slice(0, 20),
        })
      w.collisions = collisions
      // What the endpoint's clients saw first: the next rebuild is compared with it.
      w.parts ??= offerParts(built)
      return built
    })
    return w.offer
  }

  /** Something changed: rebuild every watched offer shortly, and tell listeners what changed in each. */
  function invalidate() {
    offered = undefined
    for (const w of watched.values()) w.offer = undefined
    timer ??= setTimeout(() => {
      timer = undefined
      void rebuild()
    }, settleMs)
  }

  async function rebuild() {
    for (const [key, w] of watched) {
      const o = await offer(key, w.scope).catch(() => undefined)
      if (!o) continue
      const parts = offerParts(o)
      const changed = w.parts
        ? (Object.keys(parts) as OfferPart[]).filter((p) => parts[p] !== w.parts?.[p])
        : []
      w.parts = parts
      if (changed.length > 0) for (const l of listeners) l(key, changed, o)
    }
  }

  return {
    offer,
    offeredServers,
    /** A server was registered, changed, checked or removed: rebuilt when that changes what is offered. */
    serverEvent(id: string) {
      const row = repo.get(id)
      const sig = signature(row)
      const was = seen.get(id)
      if (was?.sig === sig && !unlisted.has(id)) return
      unlisted.delete(id)
      if (row) seen.set(id, { sig, generation: row.generation })
      else seen.delete(id)
      // A new endpoint (generation) or a server gone: its lists are asked again.
      if (!row || (was && was.generation !== row.generation)) lists.delete(id)
      if (!row || !offersTools(row)) for (const g of gone) g(id)
      invalidate()
    },
    /** The server said (or a refresh showed) that its lists changed. */
    listsChanged(id: string) {
      lists.delete(id)
      invalidate()
    },
    /** A toolset changed or was removed. */
    scopeChanged: invalidate,
    /** Stops rebuilding `key` (its last session ended). */
    unwatch: (key: string) => void watched.delete(key),
    /** Hears what changed in each watched offer. */
    onChange(listener: (key: string, changed: OfferPart[], offer: Offer) => void) {
      listeners.add(listener)
    },
    /** Hears of servers that stopped being offered (their calls in flight are ended). */
    onGone(listener: (serverId: string) => void) {
      gone.add(listener)
    },
    stop() {
      if (timer) clearTimeout(timer)
    },
  }
}
