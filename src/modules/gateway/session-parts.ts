// What a gateway session does beside answering: tell its client what changed (at most once a second per
// list), call a tool on its behalf (ended when the server leaves the offer), and share upstream resource
// subscriptions with the other sessions.
import type { GatewayCallLink } from '../mcp'
import type { ToolCatalog } from '../tools/catalog'
import type { OfferPart } from './catalog'
import type { Route } from './offer'
import type { CallResult } from './types'

const notifyEveryMs = 1_000

type Teller = {
  pending: Set<OfferPart>
  toldAt: number
  timer?: ReturnType<typeof setTimeout>
  server?: {
    sendToolListChanged(): Promise<void>
    sendPromptListChanged(): Promise<void>
    sendResourceListChanged(): Promise<void>
  }
}

/** Tells the session's client its lists changed, at most once a second for each list. */
export function tellListChanged(s: Teller, changed: OfferPart[], now: () => number) {
  for (const part of changed) s.pending.add(part)
  if (s.timer) return
  const wait = Math.max(0, s.toldAt + notifyEveryMs - now())
  s.timer = setTimeout(() => {
    s.timer = undefined
    s.toldAt = now()
    const server = s.server
    if (!server) return
    const parts = [...s.pending]
    s.pending.clear()
    for (const part of parts) {
      const sent =
        part === 'tools'
          ? server.sendToolListChanged()
          : part === 'prompts'
            ? server.sendPromptListChanged()
            : server.sendResourceListChanged()
      void Promise.resolve(sent).catch(() => {})
    }
  }, wait)
}

/**
 * A tool called for the session's client through the catalog (timed, recorded as a gateway call), known
 * to the session while in flight so that it ends when its server stops being offered.
 */
export async function callFor(
  s: { id: string; calls: Map<string, Set<AbortController>> },
  tools: Pick<ToolCatalog, 'call'>,
  route: Route,
  args: Record<string, unknown>,
  signal: AbortSignal,
  link: Omit<GatewayCallLink, 'asking'> & { caps: GatewayCallLink['asking']['caps'] },
): Promise<CallResult> {
  // The call ends when its request does, or when the session ends the calls to its server. The
  // request's signal is passed on by hand: AbortSignal.any cost more than the rest of this function.
  const controller = new AbortController()
  const forward = () => controller.abort(signal.reason)
  if (signal.aborted) forward()
  else signal.addEventListener('abort', forward, { once: true })
  const calls = s.calls.get(route.serverId) ?? new Set()
  s.calls.set(route.serverId, calls)
  calls.add(controller)
  try {
    const outcome = await tools.call(
      { serverId: route.serverId, serverName: route.serverName, tool: route.name },
      args,
      controller.signal,
      'gateway',
      { ...link, asking: { downstream: s.id, caps: link.caps } },
    )
    return {
      content: outcome.content,
      ...(outcome.ok ? {} : { isError: true }),
      ...(outcome.structuredContent !== undefined ? { structuredContent: outcome.structuredContent } : {}),
      ...(outcome.meta ? { _meta: outcome.meta } : {}),
    }
  } finally {
    signal.removeEventListener('abort', forward)
    calls.delete(controller)
  }
}

type Forward = (
  serverId: string,
  method: string,
  params: Record<string, unknown>,
  signal: AbortSignal,
) => Promise<unknown>

type Subscriber = { id: string; subscriptions: Map<string, string> }

/** Resource subscriptions counted over sessions: the server hears the first subscribe and the last unsubscribe. */
export function createSubscriptions(forward: Forward) {
  const subscribed = new Map<string, Set<string>>()
  return {
    async subscribe(s: Subscriber, uri: string, serverId: string) {
      // A URI that now goes to another server: the old subscription ends first.
      if (s.subscriptions.has(uri) && s.subscriptions.get(uri) !== serverId) await this.unsubscribe(s, uri)
      s.subscriptions.set(uri, serverId)
      const key = `${serverId} ${uri}`
      const who = subscribed.get(key) ?? new Set()
      subscribed.set(key, who)
      who.add(s.id)
      if (who.size > 1) return
      try {
        await forward(serverId, 'resources/subscribe', { uri }, AbortSignal.timeout(30_000))
      } catch (e) {
        // Not subscribed upstream: the next session that subscribes asks again.
        s.subscriptions.delete(uri)
        subscribed.delete(key)
        throw e
      }
    },
    async unsubscribe(s: Subscriber, uri: string) {
      const serverId = s.subscriptions.get(uri)
      if (!serverId) return
      s.subscriptions.delete(uri)
      const key = `${serverId} ${uri}`
      const who = subscribed.get(key)
      who?.delete(s.id)
      if (who && who.size > 0) return
      subscribed.delete(key)
      await forward(serverId, 'resources/unsubscribe', { uri }, AbortSignal.timeout(10_000)).catch(() => {})
    },
  }
}
