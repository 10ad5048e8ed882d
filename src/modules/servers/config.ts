import { integer, setting } from '../../shared/settings'

/** Limits of the registry. */
export const serverSettings = {
  maxServers: setting({
    env: 'AUTOMCP_MAX_SERVERS',
    default: 10_000,
    doc: 'Registered servers at most; registering one more answers 409 `server_limit_reached`',
    parse: integer(1, 10_000_000),
  }),
}
