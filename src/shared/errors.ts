/** An error the API answers with as `{ detail, code }`; anything else becomes a bare 500. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail)
  }

  /** `openai`: also OpenAI's `error` object, which OpenAI SDKs read their message from (`/v1/*`). */
  toResponse(openai = false): Response {
    const error = openai ? { error: { message: this.message, type: this.code, code: this.code } } : {}
    return Response.json(
      { detail: this.message, code: this.code, ...error },
      { status: this.status, headers: { 'cache-control': 'no-store', ...this.headers } },
    )
  }
}

export const routeNotFound = (method: string, path: string) =>
  new HttpError(404, 'route_not_found', `No route for ${method} ${path}`)
export const payloadTooLarge = (limit: number) =>
  new HttpError(413, 'payload_too_large', `Request body is larger than ${limit} bytes`)

/** The OpenAI-compatible routes, whose errors also carry OpenAI's `error` object. */
export const isOpenAIPath = (path: string) => path.startsWith('/v1/')
