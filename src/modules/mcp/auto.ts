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

/** One transport's try: its outcome, and whether it reached an MCP endpoint (see `Seen.reachedMcp`). */
export type Attempt = { outcome: ProbeOutcome; reachedMcp: boolean }

/**
 * The more telling of two failed attempts: one that reached an MCP endpoint (an SSE stream that named
 * its endpoint, then a POST that failed with 500) says more than a 404 from a path that is not MCP at
 * all; otherwise the earlier one.
 */
export const moreTelling = (earlier: Attempt | undefined, later: Attempt): Attempt =>
  !earlier || (later.reachedMcp && !earlier.reachedMcp) ? later : earlier

/**
 * Which outcome the check reports after `attempt`, given the most telling failed attempt before it, or
 * undefined to try the next transport. A transport that worked answers; a real failure (not a mismatch)
 * answers, unless an earlier mismatch tells more; mismatches go on until the candidates run out or the
 * check is aborted, and then the most telling one answers.
 */
export function settle(
  attempt: Attempt,
  best: Attempt | undefined,
  aborted: boolean,
): ProbeOutcome | undefined {
  const { outcome } = attempt
  // The guard's verdict is the answer, whichever transport got it.
  if (outcome.reason === 'blocked') return outcome
  const mismatch = isMismatch(outcome)
  if (outcome.status !== 'unhealthy' && !mismatch) return outcome
  if (!mismatch || aborted) return moreTelling(best, attempt).outcome
  return undefined
}
