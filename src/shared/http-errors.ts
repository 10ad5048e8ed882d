import { Elysia, type ValidationError } from 'elysia'
import { HttpError, payloadTooLarge } from './errors'

const invalidJson = () => new HttpError(400, 'invalid_body', 'Request body is not valid JSON')

import type { Logger } from './logger'

type FieldError = {
  path: string
  message: string
  value: unknown
  schema: { error?: unknown; type?: unknown }
}

/** "body field "url" must be an absolute http(s) URL": the first problem, naming the field. */
export function describeValidation(error: Readonly<ValidationError>): string {
  const first = error.all[0] as FieldError | undefined
  const where = error.type === 'body' ? 'body' : error.type
  if (!first) return `Invalid ${where}`
  const field = first.path.replace(/^\//, '').replaceAll('/', '.')
  if (!field) return `Invalid ${where}: ${first.message.toLowerCase()}`
  if (first.message.startsWith('Unexpected property')) return `${where} field "${field}" is not a known field`
  if (first.value === undefined) return `${where} field "${field}" is required`
  const why = typeof first.schema.error === 'string' ? first.schema.error : first.message.toLowerCase()
  return `${where} field "${field}" ${why}`
}

/**
 * The one place errors become responses: every error is `{ detail, code }` with its status, and
 * nothing internal leaks from a 500.
 */
export const httpErrors = (logger: Logger, maxBodyBytes: number) =>
  new Elysia({ name: 'http-errors' })
    .error({ HttpError })
    .onRequest(({ request }) => {
      if (request.method === 'GET' || request.method === 'HEAD') return
      const length = Number(request.headers.get('content-length') ?? 0)
      if (length > maxBodyBytes) return payloadTooLarge(maxBodyBytes).toResponse()
    })
    // A streamed body has no Content-Length to check up front: measure it before parsing.
    .onParse({ as: 'global' }, async ({ request, contentType }) => {
      if (request.headers.has('content-length') || !request.body) return
      const text = await request.text()
      if (Buffer.byteLength(text) > maxBodyBytes) throw payloadTooLarge(maxBodyBytes)
      if (!contentType.includes('json')) return text
      try {
        return JSON.parse(text)
      } catch {
        throw invalidJson()
      }
    })
    .onError({ as: 'global' }, ({ code, error, request, set }) => {
      const answer = toHttpError(code, error, request, logger)
      set.status = answer.status // read by the request log
      return answer.toResponse()
    })

function toHttpError(code: string | number, error: unknown, request: Request, logger: Logger): HttpError {
  if (error instanceof HttpError) return error
  // Elysia wraps what a parser throws in its ParseError.
  if ((error as Error)?.cause instanceof HttpError) return (error as Error).cause as HttpError
  switch (code) {
    case 'VALIDATION':
      return new HttpError(422, 'validation_error', describeValidation(error as ValidationError))
    case 'PARSE':
      return invalidJson()
    case 'NOT_FOUND':
      return new HttpError(
        404,
        'route_not_found',
        `No route for ${request.method} ${new URL(request.url).pathname}`,
      )
    default:
      logger.error('unhandled error', {
        method: request.method,
        url: request.url,
        code,
        error: String(error),
        stack: (error as Error)?.stack,
      })
      return new HttpError(500, 'internal_error', 'Internal server error')
  }
}
