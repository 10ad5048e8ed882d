import { oauthController } from '.'
import { createOAuthService } from './service'

/** OAuth 2.1 to MCP servers: the service and its routes. */
export function createOAuthModule(deps: Parameters<typeof createOAuthService>[0]) {
  const service = createOAuthService(deps)
  return { service, controller: oauthController(service) }
}
