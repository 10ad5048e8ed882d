import type { Transport } from '../../shared/domain'
import type { ConcreteTransport, ProbeOutcome } from './outcome'

/** A server's configured transport: one of them, or `auto` (try each until one speaks). */
export type { Transport }

/**
 * The transports a check tries, in order. For `auto`: the one that answered last time first, then
 * streamable HTTP, SSE, and the plain `/health` check.
 */
export function candidates(transport: Transport, active?: ConcreteTransport | null): ConcreteTransport[] {
  if (transport !== 'auto') return [transport]
  return [...new Set([active ?? 'streamable-http', 'streamable-http', 'sse', 'http'] as const)]
}

/** Failures that say "wrong protocol here" rather than "server down": `auto` moves on to the next transport. */
export const isMismatch = (o: ProbeOutcome) =>
  o.reason === 'protocol_error' ||
  (o.reason?.startsWith('http_') === true && o.reason !== 'http_401' && o.reason !== 'http_403')

/**
 * Which of the outcomes of the transports tried so far is the check's answer, or undefined to try the next
 * one. A transport that worked answers; a real failure (not a mismatch) answers; otherwise the first
 * mismatch is the answer once the candidates run out or the check is aborted.
 */
export function settle(
  outcome: ProbeOutcome,
  first: ProbeOutcome | undefined,
  aborted: boolean,
): ProbeOutcome | undefined {
  // The guard's verdict is the answer, whichever transport got it.
  if (outcome.reason === 'blocked') return outcome
  const worked = outcome.status !== 'unhealthy' && !isMismatch(outcome)
  if (worked || !isMismatch(outcome) || aborted) return first && !worked ? first : outcome
  return undefined
}
