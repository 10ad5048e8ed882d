import type { PendingAuthorization } from '../mcp'

/** An authorization a user was sent to make: what its callback needs, for one use, for 10 minutes. */
export type PendingEntry = {
  serverId: string
  generation: number
  begun: PendingAuthorization
  expiresAt: number
}

export const pendingTtlMs = 10 * 60_000
// Authorizations begun and not finished are forgotten oldest first beyond this many.
const maxPending = 1_000

/**
 * The authorizations begun, by their `state`: a callback is accepted once, within 10 minutes, for the
 * state AutoMCP made. Kept in memory: a restart forgets them, and the user clicks again.
 */
export function createPendingAuthorizations(now: () => number = Date.now) {
  const byState = new Map<string, PendingEntry>()
  return {
    put(state: string, entry: Omit<PendingEntry, 'expiresAt'>) {
      byState.set(state, { ...entry, expiresAt: now() + pendingTtlMs })
      while (byState.size > maxPending) byState.delete(byState.keys().next().value as string)
    },
    /** The entry of `state`, taken out: a second callback with the same state finds nothing. */
    take(state: string): PendingEntry | undefined {
      const entry = byState.get(state)
      byState.delete(state)
      return entry && entry.expiresAt > now() ? entry : undefined
    },
    get size() {
      return byState.size
    },
  }
}

/** 256 random bits, base64url: the `state` of one authorization. */
export const newState = () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')
