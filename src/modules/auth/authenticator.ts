import { MINUTE } from '../../shared/time'
import { hashKey, type Role, storedKeyPrefix } from './keys'
import type { KeyRepository } from './keys.repository'

export type Authenticator = ReturnType<typeof createAuthenticator>

/** Who a key belongs to: its id, its role and, for a key limited to one toolset, that toolset's name. */
export type Identity = { id: string; role: Role; toolset?: string }

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

    /** `toolset`: the key reaches only that toolset's gateway routes (toolset-door.ts). */
    identify(key: string): Identity | undefined {
      const hash = hashKey(key)
      if (hash === configured) return { id: 'AUTOMCP_API_KEY', role: 'admin' }
      const found = keys.find(hash)
      if (found && now() - (touched.get(found.id) ?? 0) > touchEveryMs) {
        touched.set(found.id, now())
        keys.touch(found.id, now())
      }
      if (!found) return undefined
      return found.toolset === null
        ? { id: found.id, role: found.role }
        : { ...found, toolset: found.toolset }
    },
  }
}
