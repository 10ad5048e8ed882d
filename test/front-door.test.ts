import { afterEach, expect, test } from 'bun:test'
import { adminKey, json, startApp, type TestApp } from './helpers/app'
import { parse, value } from './helpers/prometheus'
import { handshake, rawAnswer } from './helpers/raw-answer'
import { fakeUpstream } from './helpers/upstream'
import { waitFor } from './helpers/wait'

// What the front door answers itself, before any handler: it is logged and counted like everything
// else, it refuses bodies that are not JSON, and it keeps the { detail, code } shape whatever the size.

let api: TestApp
afterEach(() => api?.stop())

const requestLines = () => api.logs.filter((l) => l.msg === 'request')

test('refused requests get their log line and /metrics sample; failed authentications count by reason', async () => {
  api = await startApp({ corsOrigins: ['http://allowed.example'], config: { rateLimit: 2 } })
  const { key: readKey } = api.services.keys.create('reader', 'read')
  const before = requestLines().length
  const refused = [
    await fetch(`${api.base}/servers`), // no key
    await fetch(`${api.base}/servers`, { headers: { authorization: 'Bearer amcp_wrong' } }),
    await fetch(`${api.base}/servers/x`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${readKey}` },
    }),
    await fetch(`${api.base}/servers/x/test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, origin: 'http://evil.example' },
    }),
    await api.request('/servers/register', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x',
    }),
    await api.request('/servers/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(70_000),
    }),
  ]
  expect(refused.map((r) => r.status)).toEqual([401, 401, 403, 403, 415, 413])
  // Refused bodies come after the rate check: the admin key has spent its 2 a minute.
  expect((await api.request('/servers')).status).toBe(429)
  const lines = requestLines().slice(before)
  expect(lines.map((l) => [l.route, l.status, l.refused])).toEqual([
    ['/servers', 401, 'missing_key'],
    ['/servers', 401, 'invalid_key'],
    ['/servers/:id', 403, 'forbidden'],
    ['/servers/:id/test', 403, 'origin_not_allowed'],
    ['/servers/register', 415, 'unsupported_media_type'],
    ['/servers/register', 413, 'payload_too_large'],
    ['/servers', 429, 'rate_limited'],
  ])
  expect(JSON.stringify(lines)).not.toContain('amcp_wrong') // a key guessed is never logged
  // The read key was refused before its rate was counted, so it can still read the counters.
  const scrape = await fetch(`${api.base}/metrics`, { headers: { authorization: `Bearer ${readKey}` } })
  const samples = parse(await scrape.text())
  const http = (route: string, status: string) =>
    value(samples, 'automcp_http_requests_total', { route, status })
  expect(http('/servers', '401')).toBe(2)
  expect(http('/servers/:id', '403')).toBe(1)
  expect(http('/servers/:id/test', '403')).toBe(1)
  expect(http('/servers/register', '415')).toBe(1)
  expect(http('/servers/register', '413')).toBe(1)
  expect(http('/servers', '429')).toBe(1)
  expect(value(samples, 'automcp_auth_failures_total', { reason: 'missing_key' })).toBe(1)
  expect(value(samples, 'automcp_auth_failures_total', { reason: 'invalid_key' })).toBe(1)
  expect(value(samples, 'automcp_requests_refused_total', { reason: 'origin_not_allowed' })).toBe(1)
  expect(value(samples, 'automcp_requests_refused_total', { reason: 'rate_limited' })).toBe(1)
})

test('JSON routes take JSON and +json bodies only; a cross-site form or text POST registers nothing', async () => {
  api = await startApp({ auth: 'off', corsOrigins: ['http://allowed.example'] })
  const server = JSON.stringify({ id: 'a', name: 'A', url: 'http://127.0.0.1:9/mcp' })
  const register = (type: string | undefined, body: RequestInit['body'] = server) =>
    fetch(`${api.base}/servers/register`, {
      method: 'POST',
      headers: type ? { 'content-type': type } : {},
      body,
    })
  for (const type of [
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/xml',
    'multipart/form-data; boundary=x',
  ]) {
    const res = await register(type)
    expect(res.status, type).toBe(415)
    expect(await json(res)).toEqual({
      code: 'unsupported_media_type',
      detail: expect.stringContaining('application/json'),
    })
  }
  // Streamed without a Content-Length, and with no Content-Type at all.
  expect((await register('text/plain', new Blob([server]).stream())).status).toBe(415)
  expect(
    (await fetch(`${api.base}/servers/register`, { method: 'POST', body: new TextEncoder().encode(server) }))
      .status,
  ).toBe(415)
  expect(await api.getJson('/servers')).toEqual([])

  expect((await register('application/json; charset=utf-8')).status).toBe(201)
  const patched = await fetch(`${api.base}/servers/a`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/merge-patch+json' },
    body: JSON.stringify({ name: 'Renamed' }),
  })
  expect(patched.status).toBe(200)
  expect((await api.getJson('/servers/a')).name).toBe('Renamed')

  // A state-changing request without a body escapes CORS preflight too: a foreign Origin is refused.
  const foreign = await fetch(`${api.base}/servers/a/test`, {
    method: 'POST',
    headers: { origin: 'http://evil.example' },
  })
  expect(foreign.status).toBe(403)
  expect((await json(foreign)).code).toBe('origin_not_allowed')
  const deleted = await fetch(`${api.base}/servers/a`, {
    method: 'DELETE',
    headers: { origin: 'http://evil.example' },
  })
  expect(deleted.status).toBe(403)
  expect((await api.getJson('/servers/a')).id).toBe('a')
  const allowed = await fetch(`${api.base}/servers/a`, {
    method: 'DELETE',
    headers: { origin: 'http://allowed.example' },
  })
  expect(allowed.status).toBe(204)
})

test("a 9 MB body (over Bun's default cap) still gets { detail, code }, with a Content-Length or streamed", async () => {
  api = await startApp()
  const big = new Uint8Array(9 * 1024 * 1024).fill(32)
  for (const body of [big, new Blob([big]).stream()]) {
    const res = await api.request('/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    })
    expect(res.status).toBe(413)
    expect(await json(res)).toMatchObject({
      code: 'payload_too_large',
      detail: expect.stringContaining('4194304'),
    })
  }
})

test('Authorization takes any run of spaces after Bearer; the scheme is case-insensitive', async () => {
  api = await startApp()
  for (const header of [`Bearer  ${adminKey}`, `bearer ${adminKey}`, `BEARER    ${adminKey}  `])
    expect((await fetch(`${api.base}/servers`, { headers: { authorization: header } })).status, header).toBe(
      200,
    )
  for (const header of [`Bearer${adminKey}`, `Bearer ${adminKey} extra`, `Basic ${adminKey}`])
    expect((await fetch(`${api.base}/servers`, { headers: { authorization: header } })).status, header).toBe(
      401,
    )
})

test('a CORS preflight names the headers it allows, Authorization among them, never "undefined"; it is logged', async () => {
  api = await startApp({ corsOrigins: ['http://allowed.example'] })
  const port = api.app.server?.port as number
  for (const asked of [undefined, 'authorization, content-type']) {
    const res = await rawAnswer(port, {
      method: 'OPTIONS',
      target: '/servers/register',
      headers: {
        origin: 'http://allowed.example',
        'access-control-request-method': 'POST',
        ...(asked ? { 'access-control-request-headers': asked } : {}),
      },
    })
    expect(res.status).toBeLessThan(300)
    const allowedHeaders = res.headers.get('access-control-allow-headers') ?? ''
    expect(allowedHeaders).not.toContain('undefined')
    expect(allowedHeaders.toLowerCase()).toContain('authorization')
  }
  // Preflights are answered requests too: each has its log line (written once the answer is sent).
  await waitFor(() => api.logs.filter((l) => l.msg === 'request' && l.method === 'OPTIONS').length === 2)
  expect(api.logs.find((l) => l.method === 'OPTIONS')).toMatchObject({ status: 204 })
})

test('a read key may not POST /v1/chat/completions: 403, and the upstream is never asked', async () => {
  const upstream = fakeUpstream()
  api = await startApp({ config: { upstreamUrl: upstream.url } })
  const { key } = api.services.keys.create('reader', 'read')
  const res = await fetch(`${api.base}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'any', messages: [{ role: 'user', content: 'hi' }] }),
  })
  expect(res.status).toBe(403)
  expect(await json(res)).toMatchObject({ code: 'forbidden', error: { code: 'forbidden' } })
  expect((await fetch(`${api.base}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(
    200,
  )
  expect(upstream.seen.filter((r) => r.path.endsWith('/chat/completions'))).toEqual([])
  upstream.stop()
})

test("a browser on AutoMCP's own origin may change things; with no CORS origins a foreign page may not", async () => {
  for (const corsOrigins of [['http://dashboard.example'], []]) {
    api = await startApp({ auth: 'off', corsOrigins })
    const port = api.app.server?.port as number
    const own = `http://127.0.0.1:${port}`
    const register = (origin: string) =>
      rawAnswer(port, {
        method: 'POST',
        target: '/servers/register',
        headers: { origin, 'content-type': 'application/json' },
        body: JSON.stringify({ id: `s${origin.length}`, name: 'S', url: 'http://127.0.0.1:9/mcp' }),
      })
    expect((await register(own)).status, `${corsOrigins}`).toBe(201)
    expect(await register('http://evil.example')).toMatchObject({ status: 403, code: 'origin_not_allowed' })
    const socket = (origin: string) =>
      rawAnswer(port, { method: 'GET', target: '/chat', headers: { ...handshake, origin } })
    expect((await socket(own)).status).toBe(101)
    expect(await socket('http://evil.example')).toMatchObject({ status: 403, code: 'origin_not_allowed' })
    expect((await api.getJson('/servers')).map((s: { id: string }) => s.id)).toEqual([`s${own.length}`])
    await api.stop()
  }
})

test('paths that match no route count against the rate limit like any other request', async () => {
  api = await startApp({ config: { rateLimit: 2 } })
  const statuses = []
  for (let i = 0; i < 4; i++) statuses.push((await api.request(`/nothing/${i}`)).status)
  expect(statuses).toEqual([404, 404, 429, 429])
})

test('an Upgrade header the router does not route to a WebSocket reaches no socket, whoever asks', async () => {
  api = await startApp()
  const { key } = api.services.keys.create('reader', 'read')
  const port = api.app.server?.port as number
  for (const upgrade of ['WebSocket', 'WEBSOCKET'])
    for (const [who, status] of [
      [key, 404],
      [adminKey, 404],
    ] as const) {
      const res = await rawAnswer(port, {
        method: 'GET',
        target: '/chat',
        headers: { ...handshake, upgrade, authorization: `Bearer ${who}` },
      })
      expect(res).toMatchObject({ status, code: 'route_not_found' })
    }
})
