import { MINUTE } from '../../shared/time'
import { hashKey, type Role, storedKeyPrefix } from './keys'
import type { KeyRepository } from './keys.repository'

export type Authenticator = ReturnType<typeof createAuthenticator>

// `last_used_at` is for people reading `automcp keys list`: minute precision spares a write per request.
const touchEveryMs = MINUTE

/** Who a presented key belongs to: the configured AUTOMCP_API_KEY (admin) or a live stored key. */
export function createAuthenticator(keys: KeyRepository, configuredKey?: string, now = Date.now) {
  const configured = configuredKey ? hashKey(configuredKey) : undefined
  const touched = new Map<string, number>()
  return {
    /**
     * Whether a client that got in earlier (a socket that stays open) may go on: false once its stored
     * key is revoked. The configured key, and addresses with auth off, always may.
     */
    stillValid: (client: string): boolean => !client.startsWith(storedKeyPrefix) || keys.isActive(client),

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
