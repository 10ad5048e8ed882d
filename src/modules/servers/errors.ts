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

/** A registration whose url, command and transport do not fit together (endpoint-rules.ts). */
export const endpointInvalid = (problem: string) => new HttpError(422, 'validation_error', problem)

/** A stdio server while AUTOMCP_STDIO (or AUTOMCP_AUTH=off) turns them off. */
export const stdioDisabled = () =>
  new HttpError(
    422,
    'stdio_disabled',
    'stdio servers are turned off on this instance (AUTOMCP_STDIO=off, or AUTOMCP_AUTH=off without AUTOMCP_STDIO=on)',
  )

/** A stdio command AUTOMCP_STDIO_COMMANDS does not list. */
export const commandNotAllowed = (command: string) =>
  new HttpError(
    422,
    'command_not_allowed',
    `body field "command": "${command}" is not in AUTOMCP_STDIO_COMMANDS`,
  )

/** Logs asked of a server that has no child. */
export const notStdio = () =>
  new HttpError(
    409,
    'not_a_stdio_server',
    'Only stdio servers have logs: this server is reached over the network',
  )
