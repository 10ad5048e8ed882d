import { MINUTE } from './time'

/**
 * Token buckets per client: `perMinute` requests a minute, in bursts of up to as many. 0 turns it off.
 * Buckets that have refilled are forgotten once there are many, so memory follows the active clients.
 */
export function createRateLimiter(perMinute: number, now = () => performance.now(), maxClients = 10_000) {
  const buckets = new Map<string, { tokens: number; at: number }>()
  const perMs = perMinute / MINUTE
  function refill(client: string, t: number) {
    let bucket = buckets.get(client)
    if (!bucket) {
      if (buckets.size >= maxClients) forget(t)
      bucket = { tokens: perMinute, at: t }
      buckets.set(client, bucket)
    }
    bucket.tokens = Math.min(perMinute, bucket.tokens + (t - bucket.at) * perMs)
    bucket.at = t
    return bucket
  }
  const waitFor = (tokens: number) => (tokens >= 1 ? 0 : Math.ceil((1 - tokens) / perMs))

  return {
    /** 0 when the request may go ahead (and it is counted); otherwise how many ms until it may. */
    take(client: string): number {
      if (perMinute === 0) return 0
      const bucket = refill(client, now())
      const wait = waitFor(bucket.tokens)
      if (wait === 0) bucket.tokens -= 1
      return wait
    },

    /** The same answer as `take`, without counting anything. */
    wait(client: string): number {
      if (perMinute === 0) return 0
      const bucket = buckets.get(client)
      return bucket ? waitFor(Math.min(perMinute, bucket.tokens + (now() - bucket.at) * perMs)) : 0
    },
  }

  // Full buckets carry no state worth keeping; past that, the longest-known client goes first.
  function forget(t: number) {
    for (const [client, b] of buckets) if (b.tokens + (t - b.at) * perMs >= perMinute) buckets.delete(client)
    const overflow = buckets.size - maxClients + 1
    if (overflow > 0) for (const client of [...buckets.keys()].slice(0, overflow)) buckets.delete(client)
  }
}

export type RateLimiter = ReturnType<typeof createRateLimiter>
