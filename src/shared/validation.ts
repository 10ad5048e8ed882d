/** One problem TypeBox found (an Elysia ValidationError's `all[n]`, or a TypeCompiler error). */
export type FieldError = {
  path: string
  message: string
  value: unknown
  schema: { error?: unknown; explain?: unknown; type?: unknown }
}

/**
 * A schema's `explain`: why this value is refused, when one sentence in `error` cannot say it for every
 * value (a URL may be refused for its port or for its user:password@).
 */
export type Explain = (value: unknown) => string | null

/** `body field "url" must be an absolute http(s) URL`: the first problem, naming the field. */
export function describeFieldError(where: string, first: FieldError | undefined): string {
  if (!first) return `Invalid ${where}`
  const field = first.path.replace(/^\//, '').replaceAll('/', '.')
  if (!field) return `Invalid ${where}: ${first.message.toLowerCase()}`
  if (first.message.startsWith('Unexpected property')) return `${where} field "${field}" is not a known field`
  if (first.value === undefined) return `${where} field "${field}" is required`
  const { error, explain } = first.schema
  const why =
    (typeof explain === 'function' ? (explain as Explain)(first.value) : null) ??
    (typeof error === 'string' ? error : first.message.toLowerCase())
  return `${where} field "${field}" ${why}`
}
