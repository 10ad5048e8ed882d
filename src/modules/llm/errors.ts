/** Why a chat or model request to the upstream failed, in the terms the `/chat` protocol reports. */
export class UpstreamError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** The upstream's HTTP status (or the numeric code of an error it sent mid-stream). */
    readonly status?: number,
  ) {
    super(message)
  }
}

/** Cancelled by our caller: not an upstream failure. */
export class Aborted extends Error {}

// What OpenRouter documents for each status it answers before a stream starts.
const codeByStatus: Record<number, string> = {
  400: 'upstream_bad_request',
  401: 'upstream_unauthorized',
  402: 'upstream_payment_required',
  403: 'upstream_forbidden',
  404: 'upstream_not_found',
  408: 'upstream_timeout',
  429: 'upstream_rate_limited',
  502: 'upstream_unavailable',
  503: 'upstream_unavailable',
}

export const timeoutError = (ms: number) =>
  new UpstreamError('upstream_timeout', `The upstream did not start answering within ${ms} ms`)
export const idleError = (ms: number) =>
  new UpstreamError('upstream_timeout', `The upstream sent nothing for ${ms} ms`)

export function toUpstreamError(e: unknown, signal: AbortSignal): Error {
  // Whatever was under way when the caller cancelled (even reading an error body) ends as cancelled.
  if (signal.aborted) return signal.reason instanceof Error ? signal.reason : new Aborted('cancelled')
  if (e instanceof UpstreamError || e instanceof Aborted) return e
  const code = (e as { code?: string }).code ?? ''
  if (/ConnectionRefused|ECONNREFUSED|FailedToOpenSocket|ENOTFOUND|DNS|ConnectionClosed/i.test(code))
    return new UpstreamError('upstream_unreachable', `Cannot reach the upstream: ${(e as Error).message}`)
  return new UpstreamError(
    'upstream_disconnected',
    `The upstream connection failed: ${(e as Error).message}`,
    502,
  )
}

export function httpError(res: Response, text: string): UpstreamError {
  const body = safeParse(text) as { error?: { message?: unknown } | string; message?: unknown } | undefined
  const detail =
    typeof body?.error === 'object' && typeof body.error.message === 'string'
      ? body.error.message
      : typeof body?.error === 'string'
        ? body.error
        : typeof body?.message === 'string'
          ? body.message
          : text.slice(0, 200) || res.statusText
  return new UpstreamError(codeByStatus[res.status] ?? 'upstream_error', detail, res.status)
}

export function streamError(error: { code?: unknown; message?: unknown }): UpstreamError {
  const status = typeof error.code === 'number' ? error.code : undefined
  const message = typeof error.message === 'string' ? error.message : 'The upstream reported an error'
  return new UpstreamError(
    (status !== undefined && codeByStatus[status]) || 'upstream_error',
    message,
    status,
  )
}

/** `text` parsed as JSON, or undefined when it is not JSON. */
export function safeParse(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
