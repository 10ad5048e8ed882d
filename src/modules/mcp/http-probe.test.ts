import { describe, expect, test } from 'bun:test'
import { type FetchLike, healthUrl, probeHttp } from './http-probe'

const answering =
  (status: number, body = '', headers: Record<string, string> = {}): FetchLike =>
  async () =>
    new Response(body, { status, headers })
const never = new AbortController().signal

describe('healthUrl', () => {
  test('`/health` goes on the end of the path; a query stays a query and a fragment goes', () => {
    expect(healthUrl('http://h.test/mcp?token=a#x').href).toBe('http://h.test/mcp/health?token=a')
    expect(healthUrl('http://h.test/').href).toBe('http://h.test/health')
    expect(healthUrl('http://h.test/api//').href).toBe('http://h.test/api/health')
  })
})

describe('probeHttp', () => {
  test('200 is healthy and its body may carry capabilities', async () => {
    const outcome = await probeHttp('http://h.test', {}, never, answering(200, '{"capabilities":{"a":1}}'))
    expect(outcome).toMatchObject({
      status: 'healthy',
      reason: null,
      capabilities: { a: 1 },
      transport: 'http',
    })
    expect(outcome.latencyMs).toBeGreaterThanOrEqual(0)
    const notJson = await probeHttp('http://h.test', {}, never, answering(200, 'ok'))
    expect(notJson.capabilities).toEqual({})
  })

  test('401, or 403 with a Bearer challenge, needs credentials; other statuses are `http_<status>`', async () => {
    expect(await probeHttp('http://h.test', {}, never, answering(401))).toMatchObject({
      status: 'degraded',
      reason: 'auth_required',
      error: 'HTTP 401',
    })
    const scope = { 'www-authenticate': 'Bearer error="insufficient_scope", scope="tools"' }
    expect(await probeHttp('http://h.test', {}, never, answering(403, '', scope))).toMatchObject({
      status: 'degraded',
      reason: 'auth_required',
      error: 'HTTP 403',
    })
    expect(await probeHttp('http://h.test', {}, never, answering(503))).toMatchObject({
      status: 'degraded',
      reason: 'http_503',
    })
  })

  test('403 without a Bearer challenge is a refusal: unhealthy, `forbidden`', async () => {
    expect(await probeHttp('http://h.test', {}, never, answering(403, 'Invalid Host header'))).toMatchObject({
      status: 'unhealthy',
      reason: 'forbidden',
      error: 'HTTP 403',
    })
    const basic = { 'www-authenticate': 'Basic realm="x"' }
    expect((await probeHttp('http://h.test', {}, never, answering(403, '', basic))).reason).toBe('forbidden')
  })

  test('asks for `{url}/health` with the headers, without following redirects', async () => {
    let asked: { url: string; init?: RequestInit } | undefined
    const fetchFn: FetchLike = async (input, init) => {
      asked = { url: String(input), init }
      return new Response('{}')
    }
    await probeHttp('http://h.test/mcp', { authorization: 'Bearer t' }, never, fetchFn)
    expect(asked?.url).toBe('http://h.test/mcp/health')
    expect(asked?.init).toMatchObject({ headers: { authorization: 'Bearer t' }, redirect: 'manual' })
  })
})
