import { t } from 'elysia'

/** The body of every error response. */
export const ErrorModel = t.Object(
  {
    detail: t.String({ description: 'What went wrong, for people' }),
    code: t.String({ description: 'What went wrong, for programs (e.g. server_not_found)' }),
  },
  { description: 'Every error: a sentence and a stable code' },
)

/** What the API-key guard may answer on any route that needs a key (documented on each of them). */
export const authErrors = {
  401: t.Object(ErrorModel.properties, { description: 'No API key, or an unknown or revoked one' }),
  403: t.Object(ErrorModel.properties, { description: 'A read key on a write route' }),
  429: t.Object(ErrorModel.properties, { description: 'Over the rate limit; see Retry-After' }),
}

/**
 * A string enum. Not `t.UnionEnum`: inside `t.Optional` Elysia fills a missing value with its first
 * member (an absent `?status=` became `healthy`).
 */
export const oneOf = <const T extends readonly string[]>(
  values: T,
  options: { description?: string; error?: string } = {},
) =>
  t.Enum(Object.fromEntries(values.map((v) => [v, v])) as { [K in T[number]]: K }, {
    error: `must be one of ${values.join(', ')}`,
    ...options,
  })
