import type { Upstream } from './upstream'

export type ModelList = { text: string; cache: 'hit' | 'miss' | 'stale' }

/**
 * The upstream's model list, kept for `ttlMs`. Concurrent misses share one upstream request, and a
 * copy past its TTL stands in while the upstream fails: a model picker should not go blank because
 * OpenRouter hiccuped.
 */
export function createModelCatalog(upstream: Upstream, ttlMs: number, now = Date.now) {
  let cached: { text: string; at: number } | undefined
  let inFlight: Promise<string> | undefined

  return {
    /** Throws the UpstreamError only when there is no copy at all. */
    async list(): Promise<ModelList> {
      if (cached && now() - cached.at < ttlMs) return { text: cached.text, cache: 'hit' }
      inFlight ??= upstream.models().finally(() => {
        inFlight = undefined
      })
      try {
        const text = await inFlight
        cached = { text, at: now() }
        return { text, cache: 'miss' }
      } catch (e) {
        if (cached) return { text: cached.text, cache: 'stale' }
        throw e
      }
    },
  }
}
