import type { Upstream } from './upstream'

export type ModelCatalog = ReturnType<typeof createModelCatalog>

export type ModelList = { text: string; cache: 'hit' | 'miss' | 'stale' }

/**
 * The upstream's model list, kept for `ttlMs`. Concurrent misses share one upstream request. Past the
 * TTL the list is fetched again, but a model picker should not go blank or hang because the upstream
 * does: the old copy is served when the fetch fails, or when it takes longer than `staleAfterMs` (the
 * fetch then finishes in the background and refreshes the copy).
 */
export function createModelCatalog(upstream: Upstream, ttlMs: number, now = Date.now, staleAfterMs = 2_000) {
  let cached: { text: string; at: number } | undefined
  let inFlight: Promise<string> | undefined

  function refresh(): Promise<string> {
    inFlight ??= upstream
      .models()
      .then((text) => {
        cached = { text, at: now() }
        return text
      })
      .finally(() => {
        inFlight = undefined
      })
    return inFlight
  }

  return {
    /** Throws the UpstreamError only when there is no copy at all. */
    async list(): Promise<ModelList> {
      if (cached && now() - cached.at < ttlMs) return { text: cached.text, cache: 'hit' }
      const fetching = refresh()
      if (!cached) return { text: await fetching, cache: 'miss' }
      const stale: ModelList = { text: cached.text, cache: 'stale' }
      let timer: ReturnType<typeof setTimeout> | undefined
      try {
        return await Promise.race([
          fetching.then((text): ModelList => ({ text, cache: 'miss' })),
          new Promise<ModelList>((resolve) => {
            timer = setTimeout(() => resolve(stale), staleAfterMs)
          }),
        ])
      } catch {
        return stale
      } finally {
        clearTimeout(timer)
      }
    },
  }
}
