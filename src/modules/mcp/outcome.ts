import { SseError } from '@modelcontextprotocol/sdk/client/sse.js'
import { McpError } from '@modelcontextprotocol/sdk/types.js'
import type { CheckStatus, ConcreteTransport } from '../../shared/domain'
import { blockedPrefix } from '../../shared/guarded-fetch'
import { StdioError } from './stdio/errors'

export type ProbeStatus = CheckStatus
export type { ConcreteTransport }

/** What one check saw, before flap control decides what the server's status becomes. */
export type ProbeOutcome = {
  status: ProbeStatus
  reason: string | null
  latencyMs: number | null
  error: string | null
  capabilities?: Record<string, unknown>
  /** The transport this outcome is about; the server's `active_transport` only when the check worked. */
  transport?: ConcreteTransport
  /** How long the handshake (`initialize`) of the session the check used took, in ms. */
  handshakeMs?: number
  /** This check opened that session: its handshake came before the check's `ping`. */
  opened?: boolean
}

export const failed = (reason: string, error: string, status: ProbeStatus = 'unhealthy'): ProbeOutcome => ({
  status,
  reason,
  latencyMs: null,
  error,
})

const causes = (error: unknown): unknown[] => {
  const chain: unknown[] = []
  for (let e = error; e && chain.length < 5; e = (e as { cause?: unknown }).cause) chain.push(e)
  return chain
}

/** A failed HTTP response as the transport's fetch saw it: the SDK's errors keep its status at most. */
export type HttpFailure = { status: number; challenge: string | null }

/** What AutoMCP saw of a session's exchanges beyond what the SDK's errors say. */
export type Seen = {
  /** The last response that failed. */
  http?: HttpFailure
  /** The server spoke as an MCP endpoint: a session opened, or an SSE stream that named its endpoint. */
  reachedMcp: boolean
}

/** An error of an MCP session with what was seen of it; its message is the cause's. */
export class SessionError extends Error {
  constructor(
    cause: unknown,
    readonly seen: Seen,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause })
    this.name = 'SessionError'
  }
}

/** What was seen of the session an error came from, if it says. */
export const seenOf = (error: unknown): Seen | undefined =>
  causes(error).find((e): e is SessionError => e instanceof SessionError)?.seen

/**
 * Credentials or a refusal: 401, or a 403 with a Bearer challenge (`insufficient_scope`), asks for
 * credentials; a 403 without one refuses whoever asks (a Host or Origin check, a firewall).
 */
export function authReason(status: number, challenge: string | null | undefined) {
  if (status === 401) return 'auth_required'
  if (status !== 403) return undefined
  return /(?:^|,)\s*bearer(?:\s|,|$)/i.test(challenge ?? '') ? 'auth_required' : 'forbidden'
}

// The SSE transport reports a failed POST as a plain Error with the status in its words.
const ssePostFailure = /^Error POSTing to endpoint \(HTTP (\d{3})\)/

/**
 * The HTTP status an MCP transport error carries (StreamableHTTPError, SseError, the SSE transport's
 * failed POST), if any.
 */
export function httpStatusOf(error: unknown): number | undefined {
  for (const e of causes(error)) {
    const post = e instanceof Error && e.constructor === Error ? ssePostFailure.exec(e.message) : null
    if (post) return Number(post[1])
    const code = (e as { code?: unknown }).code
    const name = (e as { constructor?: { name?: string } }).constructor?.name
    if (
      typeof code === 'number' &&
      code >= 100 &&
      code < 600 &&
      (name === 'StreamableHTTPError' || name === 'SseError')
    )
      return code
    const m = /HTTP (\d{3})|status code (\d{3})|\((\d{3})\)/.exec(String((e as Error)?.message ?? ''))
    if (m && (name === 'StreamableHTTPError' || name === 'SseError')) return Number(m[1] ?? m[2] ?? m[3])
  }
  return undefined
}

/** How much of what a target wrote (an error page, say) a stored error keeps: read keys see it. */
const maxBodyChars = 200
// The SDK's own words before the body of an HTTP error it quotes.
const sdkLead =
  /^(?:(?:Streamable HTTP error|SSE error): )?(?:Error POSTing to endpoint(?: \(HTTP \d{3}\))?|Failed to open SSE stream|Failed to terminate session): /

/**
 * The error as stored and shown: the status line (`HTTP 502`) when there is one, then at most 200
 * printable characters of the rest; line breaks, control and format characters become spaces.
 */
export function errorText(message: string, status?: number): string {
  const rest = [
    ...message
      .replace(sdkLead, '')
      .replace(/[\p{C}\s]+/gu, ' ')
      .trim(),
  ]
  const kept = rest.length > maxBodyChars ? `${rest.slice(0, maxBodyChars).join('')}…` : rest.join('')
  if (status === undefined) return kept
  return kept ? `HTTP ${status}: ${kept}` : `HTTP ${status}`
}

/** Maps whatever a check threw to a status and a stable reason. */
export function classify(error: unknown): ProbeOutcome {
  const status = httpStatusOf(error)
  const message = errorText(error instanceof Error ? error.message : String(error), status)
  for (const e of causes(error)) {
    if (e instanceof StdioError) return failed(e.reason, message)
    const { name, code } = (e ?? {}) as { name?: string; code?: unknown }
    // The SSE transport keeps only the message, behind its own prefix.
    if (
      code === 'ERR_SSRF_BLOCKED' ||
      (e instanceof SseError && e.message.startsWith(`SSE error: ${blockedPrefix}`))
    )
      return failed('blocked', message)
    if (name === 'TimeoutError' || name === 'AbortError' || (e instanceof McpError && code === -32001))
      return failed('timeout', message)
    if (code === 'ECONNREFUSED' || code === 'ConnectionRefused') return failed('connection_refused', message)
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return failed('dns', message)
    if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ConnectionClosed')
      return failed('connection_reset', message)
  }
  if (status === undefined) return failed('protocol_error', message)
  const http = seenOf(error)?.http
  const auth = authReason(status, http?.status === status ? http.challenge : null)
  if (auth === 'auth_required') return failed(auth, message, 'degraded')
  return failed(auth ?? `http_${status}`, message)
}
