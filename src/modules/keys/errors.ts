import { HttpError } from '../../shared/errors'

// The keys API's errors. Their codes are part of the API (documented with each route): never rename one.

export const keyNotFound = (id: string) =>
  new HttpError(404, 'key_not_found', `No active key with id "${id}"`)

export const unknownToolset = (name: string) =>
  new HttpError(
    422,
    'unknown_toolset',
    `body field "toolset": no toolset named "${name}" (see GET /toolsets)`,
  )

export const roleRequired = () =>
  new HttpError(
    422,
    'validation_error',
    'body field "role" is required (admin or read) unless "toolset" is given',
  )
