import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test'
import { json, startApp, type TestApp } from './helpers/app'
import { fakeSseMcp } from './helpers/fake-sse-mcp'
import { blackHole, type Everything, healthServer, startEverything } from './helpers/peers'
import { waitFor } from './helpers/wait'
import { connectWs } from './helpers/ws'

let streamable: Everything
let sse: Everything
beforeAll(async () => {
  ;[streamable, sse] = await Promise.all([startEverything('streamableHttp'), startEverything('sse')])
})
afterAll(async () => {
  await Promise.all([streamable.stop(), sse.stop()])
})

let api: TestApp
afterEach(() => api?.stop())

const testNow = async (id: string) => json(await api.request(`/servers/${id}/test`, { method: 'POST' }))

describe('MCP probes against the reference server', () => {
  test.each([
    ['streamable-http', () => streamable.url],
    ['sse', () => sse.url],
  ] as const)('%s: healthy, with its protocol version, server info and tools', async (transport, url) => {
    api = await startApp()
    await api.post('/servers/register', { id: 'ref', name: 'Reference', url: url(), transport })
    const result = await testNow('ref')
    expect(result).toMatchObject({
      server_id: 'ref',
      success: true,
      error_message: null,
      status: 'healthy',
      status_reason: null,
    })
    expect(result.latency_ms).toBeGreaterThan(0)
    const caps = result.capabilities
    expect(caps.protocol_version).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    expect(caps.server_info.name).toContain('everything')
    expect(caps.capabilities.tools).toBeDefined()
    const tools = caps.tools.map((t: { name: string }) => t.name)
    expect(tools).toEqual(expect.arrayContaining(['echo', 'get-sum']))
    expect(caps.tools.find((t: { name: string }) => t.name === 'echo').description).toBeString()
    expect(caps.resources).toBeGreaterThan(0)
    expect(caps.prompts).toBeGreaterThan(0)

    const stored = await api.getJson('/servers/ref')
    expect(stored).toMatchObject({ status: 'healthy', active_transport: transport })
    expect(stored.capabilities.tools.length).toBe(caps.tools.length)
    expect(stored.last_checked).toBeCloseTo(Date.now() / 1000, -1)
  })

  test('keeps one live session between checks and closes it (HTTP DELETE) when the server is removed', async () => {
    api = await startApp()
    const before = streamable.openSessions()
    await api.post('/servers/register', {
      id: 'ref',
      name: 'Reference',
      url: streamable.url,
      transport: 'streamable-http',
    })
    for (let i = 0; i < 3; i++) expect((await testNow('ref')).success).toBe(true)
    expect(streamable.openSessions().opened - before.opened).toBe(1)
    expect(await api.services.sessions.count()).toBe(1)

    expect((await api.request('/servers/ref', { method: 'DELETE' })).status).toBe(204)
    await waitFor(() => streamable.openSessions().closed - before.closed === 1)
    expect(await api.services.sessions.count()).toBe(0)
  })

  test('closes every session at shutdown', async () => {
    api = await startApp()
    const before = { s: streamable.openSessions(), e: sse.openSessions() }
    await api.post('/servers/register', { id: 'a', name: 'A', url: streamable.url })
    await api.post('/servers/register', { id: 'b', name: 'B', url: sse.url })
    await testNow('a')
    await testNow('b')
    await api.stop()
    await waitFor(
      () =>
        streamable.openSessions().closed - before.s.closed === 1 &&
        sse.openSessions().closed - before.e.closed === 1,
    )
  })

  test('auto finds the transport that answers and remembers it', async () => {
    api = await startApp()
    await api.post('/servers/register', { id: 'http-mcp', name: 'A', url: streamable.url })
    await api.post('/servers/register', { id: 'sse-mcp', name: 'B', url: sse.url })
    const plain = healthServer()
    await api.post('/servers/register', { id: 'plain', name: 'C', url: plain.url })
    for (const id of ['http-mcp', 'sse-mcp', 'plain']) expect((await testNow(id)).success).toBe(true)
    const transports = Object.fromEntries(
      (await api.getJson('/servers')).map(
        (s: { id: string; active_transport: string; transport: string }) => [
          s.id,
          [s.transport, s.active_transport],
        ],
      ),
    )
    expect(transports).toEqual({
      'http-mcp': ['auto', 'streamable-http'],
      'sse-mcp': ['auto', 'sse'],
      plain: ['auto', 'http'],
    })
    plain.stop()
  })
})

describe('status rules', () => {
  test('http: 200 is healthy with the body capabilities; another status is degraded http_<code>', async () => {
    api = await startApp()
    const plain = healthServer()
    await api.post('/servers/register', { id: 'h', name: 'H', url: plain.url, transport: 'http' })
    expect(await testNow('h')).toMatchObject({
      success: true,
      status: 'healthy',
      capabilities: { tools: ['hello'] },
    })
    plain.set(503)
    expect(await testNow('h')).toMatchObject({
      success: false,
      status: 'degraded',
      status_reason: 'http_503',
      capabilities: null,
    })
    plain.stop()
  })

  test('401, or 403 with a Bearer challenge, is degraded with auth_required, over MCP (both transports) and http', async () => {
    api = await startApp()
    const locked = healthServer()
    // One failed check is enough to show: a 403 taken for a refusal would turn these unhealthy at once.
    for (const [id, url, transport] of [
      ['mcp', `${locked.url}/mcp`, 'streamable-http'],
      ['sse', `${locked.url}/sse`, 'sse'],
      ['auto', `${locked.url}/mcp`, 'auto'],
      ['http', locked.url, 'http'],
    ] as const)
      await api.post('/servers/register', { id, name: id, url, transport, failure_threshold: 1 })
    for (const [status, headers] of [
      [401, {}],
      [403, { 'www-authenticate': 'Bearer error="insufficient_scope", scope="mcp:tools"' }],
    ] as const) {
      locked.set(status, headers)
      for (const id of ['mcp', 'sse', 'auto', 'http'])
        expect({ id, status, ...(await testNow(id)) }).toMatchObject({
          id,
          status: 'degraded',
          success: false,
          status_reason: 'auth_required',
        })
    }
    locked.stop()
  })

  test('403 without a Bearer challenge (a Host or Origin refused) is unhealthy with forbidden (#14)', async () => {
    api = await startApp()
    const refusing = healthServer()
    refusing.set(403)
    const url = `${refusing.url}/mcp`
    for (const [id, transport] of [
      ['mcp', 'streamable-http'],
      ['sse', 'sse'],
      ['auto', 'auto'],
      ['http', 'http'],
    ] as const)
      await api.post('/servers/register', { id, name: id, url, transport, failure_threshold: 1 })
    for (const id of ['mcp', 'sse', 'auto', 'http'])
      expect({ id, ...(await testNow(id)) }).toMatchObject({
        id,
        success: false,
        status: 'unhealthy',
        status_reason: 'forbidden',
      })
    refusing.stop()
  })

  test("SSE: a failed POST is http_<status> with the target's words, not a protocol error (#14)", async () => {
    api = await startApp()
    const mcp = await fakeSseMcp()
    await api.post('/servers/register', {
      id: 'sse',
      name: 'S',
      url: mcp.url,
      transport: 'sse',
      failure_threshold: 1,
    })
    expect((await testNow('sse')).status).toBe('healthy')
    mcp.answerPosts(502)
    expect(await testNow('sse')).toMatchObject({
      status: 'unhealthy',
      status_reason: 'http_502',
      error_message: 'HTTP 502: boom',
    })
    await mcp.stop()
  })

  test('auto reports the transport that reached an MCP endpoint, and a failed one is never active (#14)', async () => {
    api = await startApp()
    // Streamable HTTP gets a 404 here; SSE opens its stream and then has every POST refused with 500.
    const mcp = await fakeSseMcp()
    mcp.answerPosts(500)
    await api.post('/servers/register', { id: 'a', name: 'A', url: mcp.url, failure_threshold: 1 })
    expect(await testNow('a')).toMatchObject({
      status: 'unhealthy',
      status_reason: 'http_500',
      error_message: 'HTTP 500: boom',
    })
    expect((await api.getJson('/servers/a')).active_transport).toBeNull()

    // The transport that worked stays the active one through a failure of it.
    mcp.answerPosts('ok')
    expect((await testNow('a')).status).toBe('healthy')
    mcp.answerPosts(500)
    expect((await testNow('a')).status_reason).toBe('http_500')
    expect((await api.getJson('/servers/a')).active_transport).toBe('sse')
    await mcp.stop()
  })

  test('timeout, connection_refused and dns are unhealthy once failure_threshold is reached', async () => {
    api = await startApp()
    const hole = await blackHole()
    const closedPort = healthServer()
    const refusedUrl = `${closedPort.url}/mcp`
    closedPort.stop()
    const cases = [
      ['hole', hole.url, 'timeout'],
      ['refused', refusedUrl, 'connection_refused'],
      ['nxdomain', 'http://automcp-test.invalid/mcp', 'dns'],
    ] as const
    for (const [id, url] of cases)
      await api.post('/servers/register', { id, name: id, url, timeout_ms: 300, failure_threshold: 1 })
    for (const [id, , reason] of cases) {
      const result = await testNow(id)
      expect(result).toMatchObject({
        success: false,
        latency_ms: -1,
        status: 'unhealthy',
        status_reason: reason,
        capabilities: null,
      })
      expect(result.error_message).toBeString()
    }
    hole.stop()
  })

  test('below the failure threshold a new server stays unknown, with the reason of its failed check', async () => {
    api = await startApp()
    const closed = healthServer()
    closed.stop()
    await api.post('/servers/register', { id: 'n', name: 'N', url: `${closed.url}/mcp` })
    expect(await testNow('n')).toMatchObject({
      success: false,
      status: 'unknown',
      status_reason: 'connection_refused',
    })
    expect(await testNow('n')).toMatchObject({ status: 'unhealthy', status_reason: 'connection_refused' })
  })

  test('a server slower than the slow threshold is degraded with slow', async () => {
    api = await startApp({ config: { slowMs: 1 } })
    await api.post('/servers/register', { id: 'ref', name: 'R', url: sse.url, transport: 'sse' })
    const slowServer = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      fetch: async () => {
        await Bun.sleep(30)
        return Response.json({ capabilities: {} })
      },
    })
    await api.post('/servers/register', {
      id: 'slow',
      name: 'S',
      url: `http://127.0.0.1:${slowServer.port}`,
      transport: 'http',
    })
    expect(await testNow('slow')).toMatchObject({ success: true, status: 'degraded', status_reason: 'slow' })
    slowServer.stop(true)
  })

  test('flap control: failure_threshold failures before unhealthy, success_threshold to recover', async () => {
    api = await startApp({ config: { checkTimeoutMs: 200 } })
    const flaky = healthServer()
    await api.post('/servers/register', {
      id: 'f',
      name: 'F',
      url: flaky.url,
      transport: 'http',
      failure_threshold: 3,
      success_threshold: 2,
    })
    const statuses: string[] = []
    const step = async () => statuses.push((await testNow('f')).status)
    await step() // healthy
    flaky.set('hang')
    await step() // 1st failure: still healthy
    await step() // 2nd
    await step() // 3rd: unhealthy
    flaky.set('ok')
    await step() // 1st success: still unhealthy
    flaky.set('hang')
    await step() // a failure resets the recovery
    flaky.set('ok')
    await step()
    await step() // 2nd success in a row: healthy
    expect(statuses).toEqual([
      'healthy',
      'healthy',
      'healthy',
      'unhealthy',
      'unhealthy',
      'unhealthy',
      'unhealthy',
      'healthy',
    ])
    const history = (await api.getJson('/servers/f/history')).data.map((c: { status: string }) => c.status)
    expect(history.reverse()).toEqual([
      'healthy',
      'unhealthy',
      'unhealthy',
      'unhealthy',
      'healthy',
      'unhealthy',
      'healthy',
      'healthy',
    ])
    flaky.stop()
  })
})

describe('the worker', () => {
  test('checks a newly registered server within a second, and again on its interval', async () => {
    api = await startApp({ monitor: true })
    const plain = healthServer()
    const registered = Date.now()
    await api.post('/servers/register', {
      id: 'w',
      name: 'W',
      url: plain.url,
      transport: 'http',
      interval_s: 1,
    })
    await waitFor(async () => (await api.getJson('/servers/w')).status === 'healthy', 1_500)
    expect(Date.now() - registered).toBeLessThan(1_500)
    await waitFor(async () => (await api.getJson('/servers/w/history')).data.length >= 3, 4_000)
    plain.stop()
  })

  test('an updated server is checked again right away', async () => {
    api = await startApp({ monitor: true })
    const plain = healthServer()
    await api.post('/servers/register', {
      id: 'w',
      name: 'W',
      url: plain.url,
      transport: 'http',
      interval_s: 3600,
    })
    await waitFor(async () => (await api.getJson('/servers/w')).status === 'healthy', 1_500)
    await api.patch('/servers/w', { url: streamable.url, transport: 'streamable-http' })
    await waitFor(async () => (await api.getJson('/servers/w')).active_transport === 'streamable-http', 1_500)
    plain.stop()
  })

  test('the list shows a background check within 250 ms, a write at once; an events snapshot at once', async () => {
    api = await startApp({ monitor: true })
    const plain = healthServer()
    const listed = async () =>
      Object.fromEntries(
        ((await api.getJson('/servers')) as { id: string; status: string }[]).map((s) => [s.id, s.status]),
      )
    await api.post('/servers/register', { id: 'a', name: 'A', url: plain.url, transport: 'http' })
    expect(await listed()).toEqual({ a: 'unknown' }) // the write shows in the very next list
    const events = await connectWs(api.ws('/events'))
    await events.next((m) => m.type === 'snapshot')
    await events.next((m) => m.type === 'server_update' && m.data.status === 'healthy')
    const updatedAt = performance.now()
    const late = await connectWs(api.ws('/events'))
    expect((await late.next((m) => m.type === 'snapshot')).data[0].status).toBe('healthy')
    await waitFor(async () => (await listed()).a === 'healthy', 1_000)
    expect(performance.now() - updatedAt).toBeLessThan(400)
    await api.request('/servers/a', { method: 'DELETE' })
    expect(await listed()).toEqual({})
    events.close()
    late.close()
    plain.stop()
  })
})

describe('what a check asks and what it keeps (#12)', () => {
  /** A target that records each request line and answers with `answer`. */
  function target(answer: () => Response) {
    const requests: string[] = []
    const server = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      fetch(req) {
        const url = new URL(req.url)
        requests.push(`${req.method} ${url.pathname}${url.search}`)
        return answer()
      },
    })
    return { base: `http://127.0.0.1:${server.port}`, requests, stop: () => server.stop(true) }
  }

  test('http: /health goes on the end of the path, and the query stays the query', async () => {
    api = await startApp()
    const plain = target(() => Response.json({ status: 'ok' }))
    for (const [id, path] of [
      ['q', '/api?token=abc'],
      ['slash', '/api/?token=abc&x=1#frag'],
      ['root', ''],
    ] as const) {
      await api.post('/servers/register', { id, name: id, url: `${plain.base}${path}`, transport: 'http' })
      expect(await testNow(id)).toMatchObject({ success: true, status: 'healthy' })
    }
    expect(plain.requests).toEqual([
      'GET /api/health?token=abc',
      'GET /api/health?token=abc&x=1',
      'GET /health',
    ])
    plain.stop()
  })

  test("a stored error keeps the status line and at most 200 printable characters of the target's body", async () => {
    api = await startApp()
    // An error page with line breaks, control and bidi characters, and a secret past its 200th character.
    const page = `<html>\r\n<title>Internal\u0000 error\u202e</title>\n${'x'.repeat(300)} secret-after-200`
    const failing = target(
      () => new Response(page, { status: 500, headers: { 'content-type': 'text/html' } }),
    )
    await api.post('/servers/register', {
      id: 'e',
      name: 'E',
      url: `${failing.base}/mcp`,
      transport: 'streamable-http',
    })
    const result = await testNow('e')
    const [stored] = (await api.getJson('/servers/e/history')).data
    for (const error of [result.error_message, stored.error] as string[]) {
      expect(error).toStartWith('HTTP 500: <html> <title>Internal error </title> xxx')
      expect(error).not.toContain('secret')
      expect(error).not.toMatch(/[\p{C}]/u)
      expect([...error.slice('HTTP 500: '.length)].length).toBeLessThanOrEqual(201) // and an ellipsis
    }
    failing.stop()
  })
})
