import { Elysia, type ValidationError } from 'elysia'
import { isJsonType, readUpTo } from './body'
import { HttpError, isOpenAIPath, payloadTooLarge, routeNotFound } from './errors'
import type { Logger } from './logger'
import { nestsDeeperThan } from './nesting'
import { describeFieldError, type FieldError } from './validation'

const maxBodyDepth = 64

const unread = Symbol('unread')

const invalidJson = () => new HttpError(400, 'invalid_body', 'Request body is not valid JSON')

/**
 * The one place errors become responses: every error is `{ detail, code }` with its status, and
 * nothing internal leaks from a 500.
 */
export const httpErrors = (
  logger: Logger,
  /** The largest body the request's route takes (the front door has checked Content-Length already). */
  bodyLimitOf: (request: Request) => number,
  /** Whether the route (its pattern) reads the request body itself (the MCP endpoints' transports). */
  readsItsOwnBody: (route: string) => boolean = () => false,
) =>
  new Elysia({ name: 'http-errors' })
    .error({ HttpError })
    // A streamed body has no Content-Length to check up front: it is read up to the limit and no further.
    // `+json` types are JSON too (the front door refuses any other type before this).
    .onParse({ as: 'global' }, async ({ request, contentType, route }) => {
      // Left unread for a route whose handler reads it (the MCP endpoints' transports).
      if (readsItsOwnBody(route)) return unread
      const streamed = !request.headers.has('content-length')
      if (!request.body || (!streamed && contentType.startsWith('application/json'))) return
      const limit = bodyLimitOf(request)
      const text = await readUpTo(request.body, limit)
      if (text === undefined) throw payloadTooLarge(limit)
      if (!isJsonType(contentType)) return text
      try {
        return JSON.parse(text)
      } catch {
        throw invalidJson()
      }
    })
    // Outside production Elysia's validation errors print the value indented: a 60 KB body of nested
    // arrays became gigabytes of string (and a stack overflow). Nothing the API takes nests this deep.
    .onTransform({ as: 'global' }, ({ body }) => {
      if (nestsDeeperThan(body, maxBodyDepth))
        throw new HttpError(422, 'validation_error', `Request body nests deeper than ${maxBodyDepth} levels`)
    })
    .onError({ as: 'global' }, ({ code, error, request, set, path }) => {
      const answer = toHttpError(code, error, request, logger)
      set.status = answer.status // read by the request log
      return answer.toResponse(isOpenAIPath(path ?? ''))
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
      return routeNotFound(request.method, new URL(request.url).pathname)
    default:
      logger.error('unhandled error', {
        method: request.method,
        // The path only: a query string may hold an API key (`?token=`).
        path: new URL(request.url).pathname,
        code,
        error: String(error),
        stack: (error as Error)?.stack,
      })
      return new HttpError(500, 'internal_error', 'Internal server error')
  }
}

/** "body field "url" must be an absolute http(s) URL": the first problem, naming the field. */
function describeValidation(error: Readonly<ValidationError>): string {
  return describeFieldError(error.type, error.valueError as FieldError | undefined)
}
