/**
 * Token buckets per client: `perMinute` requests a minute, in bursts of up to as many. 0 turns it off.
 * Buckets that have refilled are forgotten once there are many, so memory follows the active clients.
 */
export function createRateLimiter(perMinute: number, now = () => performance.now()) {
  const buckets = new Map<string, { tokens: number; at: number }>()
  const perMs = perMinute / 60_000
  return {
    /** 0 when the request may go ahead; otherwise how many ms until it may. */
    take(client: string): number {
      if (perMinute === 0) return 0
      const t = now()
      let bucket = buckets.get(client)
      if (!bucket) {
        if (buckets.size >= 10_000) forgetFull(t)
        bucket = { tokens: perMinute, at: t }
        buckets.set(client, bucket)
      }
      bucket.tokens = Math.min(perMinute, bucket.tokens + (t - bucket.at) * perMs)
      bucket.at = t
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1
        return 0
      }
      return Math.ceil((1 - bucket.tokens) / perMs)
    },
  }

  function forgetFull(t: number) {
    for (const [client, b] of buckets) if (b.tokens + (t - b.at) * perMs >= perMinute) buckets.delete(client)
  }
}

export type RateLimiter = ReturnType<typeof createRateLimiter>
