import { describe, expect, test } from 'bun:test'
import { SseError } from '@modelcontextprotocol/sdk/client/sse.js'
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { authReason, classify, errorText, httpStatusOf, SessionError } from './outcome'

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code })

describe('classify', () => {
  test('network failures get stable reasons, also when they are the cause of another error', () => {
    expect(classify(withCode('refused', 'ECONNREFUSED'))).toMatchObject({
      status: 'unhealthy',
      reason: 'connection_refused',
      latencyMs: null,
    })
    expect(classify(new Error('fetch failed', { cause: withCode('no such host', 'ENOTFOUND') })).reason).toBe(
      'dns',
    )
    expect(classify(withCode('reset', 'ECONNRESET')).reason).toBe('connection_reset')
    expect(classify(new DOMException('check timed out', 'TimeoutError')).reason).toBe('timeout')
  })

  test("the SSRF guard's refusal is `blocked`, also when only the SSE transport's message is left", () => {
    expect(
      classify(withCode('SSRF guard: http://10.0.0.1 refused: private', 'ERR_SSRF_BLOCKED')).reason,
    ).toBe('blocked')
    expect(
      classify(new SseError(undefined, 'SSRF guard: http://10.0.0.1 refused: private', {} as ErrorEvent))
        .reason,
    ).toBe('blocked')
  })

  test('401 means credentials are needed: degraded, not down', () => {
    expect(classify(new StreamableHTTPError(401, 'Unauthorized'))).toMatchObject({
      status: 'degraded',
      reason: 'auth_required',
    })
  })

  test('403 needs credentials only with a Bearer challenge seen on that response; else it is `forbidden`', () => {
    const refused = new StreamableHTTPError(403, 'Error POSTing to endpoint: Invalid Host')
    expect(classify(refused)).toMatchObject({ status: 'unhealthy', reason: 'forbidden' })
    const scoped = { status: 403, challenge: 'Bearer error="insufficient_scope"' }
    expect(classify(new SessionError(refused, { http: scoped, reachedMcp: false }))).toMatchObject({
      status: 'degraded',
      reason: 'auth_required',
      error: 'HTTP 403: Invalid Host',
    })
    // A challenge seen on another failed response says nothing about this one.
    const other = { status: 401, challenge: 'Bearer' }
    expect(classify(new SessionError(refused, { http: other, reachedMcp: false })).reason).toBe('forbidden')
  })

  test("the SSE transport's failed POST is `http_<status>`, with the status line and the body", () => {
    const e = new Error('Error POSTing to endpoint (HTTP 404): Session not found')
    expect(classify(e)).toMatchObject({ reason: 'http_404', error: 'HTTP 404: Session not found' })
    expect(httpStatusOf(new SessionError(e, { reachedMcp: true }))).toBe(404)
  })

  test('another HTTP status is `http_<status>`; anything else is a protocol error', () => {
    const e = new StreamableHTTPError(502, 'Error POSTing to endpoint (HTTP 502): <h1>Bad gateway</h1>')
    expect(classify(e)).toMatchObject({ reason: 'http_502', error: 'HTTP 502: <h1>Bad gateway</h1>' })
    expect(classify(new Error('not JSON-RPC'))).toMatchObject({
      reason: 'protocol_error',
      error: 'not JSON-RPC',
    })
  })
})

describe('httpStatusOf', () => {
  test("reads the status of the SDK's transport errors only", () => {
    expect(httpStatusOf(new StreamableHTTPError(404, 'Session not found'))).toBe(404)
    expect(httpStatusOf(new Error('x', { cause: new StreamableHTTPError(404, 'gone') }))).toBe(404)
    expect(httpStatusOf(withCode('HTTP 404', 'E'))).toBeUndefined()
  })
})

describe('authReason', () => {
  test('401 always, 403 with a Bearer challenge among others; other statuses are not about auth', () => {
    expect(authReason(401, null)).toBe('auth_required')
    expect(authReason(403, 'Bearer realm="mcp", error="insufficient_scope"')).toBe('auth_required')
    expect(authReason(403, 'Basic realm="x", Bearer')).toBe('auth_required')
    expect(authReason(403, 'Basic realm="Bearer"')).toBe('forbidden')
    expect(authReason(403, null)).toBe('forbidden')
    expect(authReason(404, 'Bearer')).toBeUndefined()
  })
})

describe('errorText', () => {
  test("drops the SDK's lead, keeps the status line, and makes line breaks and control characters spaces", () => {
    expect(errorText('Streamable HTTP error: Failed to open SSE stream: Not\r\nFound\u0000!', 404)).toBe(
      'HTTP 404: Not Found !',
    )
    expect(errorText('', 500)).toBe('HTTP 500')
    expect(errorText('plain')).toBe('plain')
  })

  test('keeps at most 200 characters of what the target wrote', () => {
    const text = errorText('x'.repeat(500), 502)
    expect(text).toBe(`HTTP 502: ${'x'.repeat(200)}…`)
  })
})
