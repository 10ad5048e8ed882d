import { type IntegerOptions, OptionalKind, type TSchema, Type } from '@sinclair/typebox'
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

/**
 * An integer as JSON writes it. Not `t.Integer`: Elysia's also takes any string `Number()` reads, so
 * `"0x10"` became 16, `"1e3"` 1000 and `" 500 "` 500.
 */
export const integer = (options: IntegerOptions & { error: string }) => Type.Integer(options)

/**
 * A number in a query string: plain decimal digits (`pattern` says how many, and whether a fraction),
 * nothing else `Number()` would read (hex, exponents, spaces, signs). The handler gets a number.
 */
export const queryNumber = (options: { pattern: string; error: string; description?: string }) =>
  t
    .Transform(t.String(options))
    .Decode((digits) => Number(digits))
    .Encode((n) => String(n))

/**
 * An optional field that also takes null, meaning absent: pydantic clients (the seed's own among them)
 * write every unset `Optional[...]` field as null. `dropNullOptionals` removes them before use.
 */
export const optional = <T extends TSchema>(schema: T) =>
  t.Optional(t.Union([schema, t.Null()], { error: schema.error, description: schema.description }))

/** A request once `dropNullOptionals` ran: its optional fields are absent or set, never null. */
export type WithoutNulls<T> = { [K in keyof T]: undefined extends T[K] ? Exclude<T[K], null> : T[K] }

/** Deletes, in place, the null values of `schema`'s optional fields, in nested objects and lists too. */
export function dropNullOptionals<T>(schema: TSchema, value: T): WithoutNulls<T> {
  if (value === null || typeof value !== 'object') return value as WithoutNulls<T>
  for (const member of (schema.anyOf as TSchema[] | undefined) ?? []) dropNullOptionals(member, value)
  if (Array.isArray(value)) {
    if (schema.items) for (const item of value) dropNullOptionals(schema.items as TSchema, item)
    return value as WithoutNulls<T>
  }
  const record = value as Record<string, unknown>
  for (const [key, field] of Object.entries((schema.properties as Record<string, TSchema>) ?? {})) {
    if (record[key] === null && OptionalKind in field) delete record[key]
    else dropNullOptionals(field, record[key])
  }
  return value as WithoutNulls<T>
}
