import type { Db } from '../../db/client'
import { createRateLimiter } from '../../shared/rate-limit'
import type { SocketRegistry } from '../../shared/sockets'
import { createAuthenticator } from './authenticator'
import { createKeyRepository } from './keys.repository'

/**
 * API keys: who a key is, the rate of each client and of failed key checks, and the sweep that closes
 * a revoked key's open sockets within a second (its chats are refused at once).
 */
export function createAuthModule({
  db,
  apiKey,
  rateLimit,
  sockets,
  now = Date.now,
}: {
  db: Db
  apiKey?: string
  rateLimit: number
  sockets: SocketRegistry
  now?: () => number
}) {
  const keys = createKeyRepository(db)
  const authenticator = createAuthenticator(keys, apiKey, now)
  const sweep = setInterval(() => sockets.closeUnless(authenticator.stillValid, 'API key revoked'), 1_000)
  sweep.unref()
  return {
    keys,
    authenticator,
    limiter: createRateLimiter(rateLimit),
    // 30 wrong or missing keys a minute per address, then 429: enough for a misconfigured client to
    // notice, far too few to guess a key.
    failures: createRateLimiter(30),
    stop: () => clearInterval(sweep),
  }
}
