import { HttpError } from '../../shared/errors'

// The registry's errors. Their codes are part of the API (documented with each route): never rename one.

export const serverNotFound = () => new HttpError(404, 'server_not_found', 'Server not found')

/** A registered URL whose host is an address the SSRF guard never connects to. */
export const urlBlocked = (why: string) =>
  new HttpError(422, 'url_blocked', `body field "url" is not allowed: ${why}`)

/** One server more than AUTOMCP_MAX_SERVERS allows. */
export const serverLimitReached = (maxServers: number) =>
  new HttpError(
    409,
    'server_limit_reached',
    `At most ${maxServers} servers may be registered (AUTOMCP_MAX_SERVERS)`,
  )
