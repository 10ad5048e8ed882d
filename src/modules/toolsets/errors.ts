import { HttpError } from '../../shared/errors'

// The toolsets' errors. Their codes are part of the API (documented with each route): never rename one.

export const toolsetNotFound = (name: string) =>
  new HttpError(404, 'toolset_not_found', `No toolset named "${name}"`)

export const toolsetExists = (name: string) =>
  new HttpError(409, 'toolset_exists', `A toolset named "${name}" exists already`)

/** Names that /sse/<toolset>/… would read as the legacy transport's own paths. */
export const reservedToolsetNames = ['sse', 'message'] as const

export const toolsetNameReserved = (name: string) =>
  new HttpError(
    422,
    'toolset_name_reserved',
    `body field "name": "${name}" is reserved (${reservedToolsetNames.join(', ')} are the gateway's own paths)`,
  )

export const unknownServer = (ids: string[]) =>
  new HttpError(
    422,
    'unknown_server',
    `body field "servers": no server registered with id ${ids.map((id) => `"${id}"`).join(', ')}`,
  )

/** `prefix: false` over servers whose tools share names: a client could not tell them apart. */
export const toolNameCollision = (names: string[]) =>
  new HttpError(
    409,
    'tool_name_collision',
    `With "prefix": false, these tool names are offered by more than one selected server: ${names.join(', ')}`,
  )

/** Keys limited to the toolset would be left reaching nothing. */
export const toolsetInUse = (name: string, keys: number) =>
  new HttpError(
    409,
    'toolset_in_use',
    `${keys} API key${keys === 1 ? ' is' : 's are'} limited to the toolset "${name}": revoke ${keys === 1 ? 'it' : 'them'} first (DELETE /keys/{id})`,
  )
