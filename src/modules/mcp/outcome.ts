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
  transport?: ConcreteTransport
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

/** The HTTP status an MCP transport error carries (StreamableHTTPError, SseError), if any. */
export function httpStatusOf(error: unknown): number | undefined {
  for (const e of causes(error)) {
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
  /^(?:Streamable HTTP error|SSE error): (?:Error POSTing to endpoint(?: \(HTTP \d{3}\))?|Failed to open SSE stream|Failed to terminate session): /

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
  if (status === 401 || status === 403) return failed('auth_required', message, 'degraded')
  if (status !== undefined) return failed(`http_${status}`, message)
  return failed('protocol_error', message)
}
