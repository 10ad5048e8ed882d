import type { OAuthMaterial } from './material'

export type OAuthHolder = ReturnType<typeof createOAuthHolder>

/**
 * The newest OAuth material of each server in the MCP thread. Every check and call offers what the
 * database had when it was read; a refresh done here meanwhile is newer and is kept, so a stale copy never
 * puts back tokens that were replaced. A new generation (the server changed) replaces everything.
 */
export function createOAuthHolder() {
  const held = new Map<string, OAuthMaterial>()
  const renewing = new Map<string, Promise<OAuthMaterial | undefined>>()
  const failedAt = new Map<string, number>()

  return {
    offer(id: string, m: OAuthMaterial) {
      const old = held.get(id)
      const keepTokens =
        old !== undefined &&
        old.generation === m.generation &&
        (old.tokens?.obtained_at ?? 0) > (m.tokens?.obtained_at ?? 0)
      held.set(id, keepTokens ? { ...m, tokens: old.tokens, discovery: m.discovery ?? old.discovery } : m)
    },
    get: (id: string) => held.get(id),
    /** A new authorization's material: it replaces what is held, whatever a refresh under way brings back. */
    replace(id: string, m: OAuthMaterial) {
      held.set(id, m)
    },
    /** When a renewal of the server last failed: the next waits a while, not every request. */
    failedAt,
    update(id: string, change: Partial<OAuthMaterial>) {
      const old = held.get(id)
      if (old) held.set(id, { ...old, ...change })
    },
    /** One renewal per server at a time: concurrent requests that got a 401 share it. */
    renew(id: string, run: () => Promise<OAuthMaterial | undefined>): Promise<OAuthMaterial | undefined> {
      const running = renewing.get(id)
      if (running) return running
      const p = run().finally(() => renewing.delete(id))
      renewing.set(id, p)
      return p
    },
    forget(id: string) {
      held.delete(id)
      failedAt.delete(id)
    },
  }
}
