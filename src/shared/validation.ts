/** One problem TypeBox found (an Elysia ValidationError's `all[n]`, or a TypeCompiler error). */
export type FieldError = {
  path: string
  message: string
  value: unknown
  schema: { error?: unknown; type?: unknown }
}

/** `body field "url" must be an absolute http(s) URL`: the first problem, naming the field. */
export function describeFieldError(where: string, first: FieldError | undefined): string {
  if (!first) return `Invalid ${where}`
  const field = first.path.replace(/^\//, '').replaceAll('/', '.')
  if (!field) return `Invalid ${where}: ${first.message.toLowerCase()}`
  if (first.message.startsWith('Unexpected property')) return `${where} field "${field}" is not a known field`
  if (first.value === undefined) return `${where} field "${field}" is required`
  const why = typeof first.schema.error === 'string' ? first.schema.error : first.message.toLowerCase()
  return `${where} field "${field}" ${why}`
}
