import { HttpError, payloadTooLarge } from './errors'

// `application/json`, or any `+json` type (RFC 6839), parameters such as charset allowed.
const jsonType = /^application\/(?:[a-z0-9!#$&^_.-]+\+)?json$/

/** Whether a Content-Type names JSON, the only body type the API takes. */
export const isJsonType = (contentType: string | null) =>
  contentType !== null && jsonType.test(contentType.split(';', 1)[0]?.trim().toLowerCase() ?? '')

/**
 * Why a request's body is refused before it is read: larger than the route's `limit` by its
 * Content-Length (a streamed body is measured as it is read), or not JSON. A body of another type is
 * refused rather than parsed, so that a cross-site form or `text/plain` POST cannot register a server.
 */
export function bodyRefusal(request: Request, limit: number): HttpError | undefined {
  const { method, headers } = request
  if (method === 'GET' || method === 'HEAD') return undefined
  const length = Number(headers.get('content-length') ?? 0)
  if (length > limit) return payloadTooLarge(limit)
  const hasBody = length > 0 || headers.has('transfer-encoding')
  if (hasBody && !isJsonType(headers.get('content-type')))
    return new HttpError(
      415,
      'unsupported_media_type',
      `Request bodies must be JSON: send "Content-Type: application/json" (got ${describe(headers.get('content-type'))})`,
    )
  return undefined
}

const describe = (type: string | null) => (type ? `"${type.slice(0, 100)}"` : 'no Content-Type')

/** The body as text, or undefined as soon as it passes `limit` bytes (the rest is not read). */
export async function readUpTo(body: ReadableStream<Uint8Array>, limit: number): Promise<string | undefined> {
  const reader = body.getReader()
  const parts: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { value, done } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      reader.cancel().catch(() => {})
      return undefined
    }
    parts.push(value)
  }
  return Buffer.concat(parts).toString('utf8')
}
