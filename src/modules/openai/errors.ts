import { HttpError } from '../../shared/errors'
import { UpstreamError } from '../llm/errors'
import { ToolSelectionError } from '../tools/catalog'

// How an upstream failure reads to an OpenAI client of ours: its own mistakes keep their status, the
// upstream's (or our configuration's) are a bad gateway.
const statusFor = (e: UpstreamError) =>
  e.status === 400 || e.status === 402 || e.status === 404 || e.status === 429
    ? e.status
    : e.code === 'upstream_timeout'
      ? 504
      : 502

/** A chat's failure as `/v1` answers it; anything else is passed on as it is. */
export function toHttpError(e: unknown): unknown {
  if (e instanceof UpstreamError) {
    const status = e.status ? ` (HTTP ${e.status})` : ''
    return new HttpError(statusFor(e), e.code, `The upstream failed${status}: ${e.message}`)
  }
  if (e instanceof ToolSelectionError) return new HttpError(422, e.code, e.message)
  return e
}
