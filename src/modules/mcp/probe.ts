import type { StdioCommand } from '../../shared/domain'
import { roundMs } from '../../shared/time'
import { type Attempt, candidates, moreTelling, settle, type Transport } from './auto'
import type { FetchLike } from './http-probe'
import { probeHttp } from './http-probe'
import type { OAuthMaterial } from './oauth/material'
import { type ConcreteTransport, classify, type ProbeOutcome, seenOf } from './outcome'
import type { McpSessions } from './sessions'
import type { McpTarget } from './transports'

export type ProbeTarget = {
  id: string
  url: string
  transport: Transport
  /** For `auto`: the transport that answered last time, tried first. */
  activeTransport?: ConcreteTransport | null
  headers: Record<string, string>
  /** A stdio server's program (transport `stdio`), and the registration's generation. */
  stdio?: StdioCommand
  generation?: number
  /** OAuth to the server: tokens for its requests (./oauth). */
  oauth?: OAuthMaterial
  timeoutMs: number
  /** Aborts the check early, e.g. at shutdown. */
  signal?: AbortSignal
}

/** The session target of one of the transports a check tries. */
function mcpTargetOf(target: ProbeTarget, transport: Exclude<ConcreteTransport, 'http'>): McpTarget {
  if (transport !== 'stdio')
    return {
      id: target.id,
      url: target.url,
      transport,
      headers: target.headers,
      ...(target.oauth ? { oauth: target.oauth } : {}),
    }
  if (!target.stdio) throw new Error('a stdio server without a command')
  return { id: target.id, transport, generation: target.generation ?? 0, stdio: target.stdio }
}

export type Prober = ReturnType<typeof createProber>

/** The one check used by the worker and by `POST /servers/{id}/test`. */
export function createProber({
  sessions,
  slowMs,
  fetch: fetchFn,
}: {
  sessions: McpSessions
  slowMs: number
  fetch?: FetchLike
}) {
  async function attempt(
    transport: ConcreteTransport,
    target: ProbeTarget,
    signal: AbortSignal,
  ): Promise<Attempt> {
    try {
      if (transport === 'http')
        return { outcome: await probeHttp(target.url, target.headers, signal, fetchFn), reachedMcp: false }
      return { outcome: await sessions.check(mcpTargetOf(target, transport), signal), reachedMcp: true }
    } catch (e) {
      const outcome = { ...classify(signal.aborted ? signal.reason : e), transport }
      return { outcome, reachedMcp: seenOf(e)?.reachedMcp === true }
    }
  }

  return async function probe(target: ProbeTarget): Promise<ProbeOutcome> {
    // One controller per check. (AbortSignal.any with the long-lived stop signal would leave a dependent
    // on it per check, and creating those grows slower with every one.)
    const controller = new AbortController()
    const { signal } = controller
    const timer = setTimeout(
      () => controller.abort(new DOMException('check timed out', 'TimeoutError')),
      target.timeoutMs,
    )
    const stop = () => controller.abort(target.signal?.reason)
    target.signal?.addEventListener('abort', stop, { once: true })
    try {
      return await run(target, signal)
    } finally {
      clearTimeout(timer)
      target.signal?.removeEventListener('abort', stop)
    }
  }

  async function run(target: ProbeTarget, signal: AbortSignal): Promise<ProbeOutcome> {
    let best: Attempt | undefined
    for (const transport of candidates(target.transport, target.activeTransport)) {
      const tried = await attempt(transport, target, signal)
      const answer = settle(tried, best, signal.aborted)
      if (answer) return finish(answer)
      best = moreTelling(best, tried)
    }
    return finish((best as Attempt).outcome)
  }

  // `slow` is judged on the check's own round trip (the ping), never on a new session's handshake.
  function finish(o: ProbeOutcome): ProbeOutcome {
    const latencyMs = o.latencyMs === null ? null : roundMs(o.latencyMs)
    const rounded = {
      ...o,
      latencyMs,
      ...(o.handshakeMs === undefined ? {} : { handshakeMs: roundMs(o.handshakeMs) }),
    }
    if (o.status === 'healthy' && latencyMs !== null && latencyMs > slowMs)
      return { ...rounded, status: 'degraded', reason: 'slow' }
    return rounded
  }
}
