import { t } from 'elysia'

/** The body of every error response. */
export const ErrorModel = t.Object(
  {
    detail: t.String({ description: 'What went wrong, for people' }),
    code: t.String({ description: 'What went wrong, for programs (e.g. server_not_found)' }),
  },
  { description: 'Every error: a sentence and a stable code' },
)

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
