import { hashKey, type Role } from './keys'
import type { KeyRepository } from './keys.repository'

export type Authenticator = ReturnType<typeof createAuthenticator>

// `last_used_at` is for people reading `automcp keys list`: minute precision spares a write per request.
const touchEveryMs = 60_000

/** Who a presented key belongs to: the configured AUTOMCP_API_KEY (admin) or a live stored key. */
export function createAuthenticator(keys: KeyRepository, configuredKey?: string, now = Date.now) {
  const configured = configuredKey ? hashKey(configuredKey) : undefined
  const touched = new Map<string, number>()
  return {
    identify(key: string): { id: string; role: Role } | undefined {
      const hash = hashKey(key)
      if (hash === configured) return { id: 'AUTOMCP_API_KEY', role: 'admin' }
      const found = keys.find(hash)
      if (found && now() - (touched.get(found.id) ?? 0) > touchEveryMs) {
        touched.set(found.id, now())
        keys.touch(found.id, now())
      }
      return found
    },
  }
}
