import { keysController } from '.'
import { createKeyService } from './service'

/** `/keys`: the stored API keys, listed, created and revoked by admins. */
export function createKeysModule(deps: Parameters<typeof createKeyService>[0]) {
  const service = createKeyService(deps)
  return { service, controller: keysController(service) }
}
