import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { json, seedServer, startApp, type TestApp } from './helpers/app'

let api: TestApp
beforeEach(async () => {
  api = await startApp()
})
afterEach(() => api.stop())

async function expectError(res: Response, status: number, code: string, detailPart?: string) {
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toContain('application/json')
  const body = await json(res)
  expect(Object.keys(body).sort()).toEqual(['code', 'detail'])
  expect(body.code).toBe(code)
  if (detailPart) expect(body.detail).toContain(detailPart)
  return body
}

describe('404', () => {
  test('an unknown server answers the seed detail', async () => {
    const body = await expectError(await api.request('/servers/ghost'), 404, 'server_not_found')
    expect(body.detail).toBe('Server not found')
    await expectError(await api.request('/servers/ghost/status'), 404, 'server_not_found')
    await expectError(await api.request('/servers/ghost', { method: 'DELETE' }), 404, 'server_not_found')
  })

  test('an unknown route', async () => {
    await expectError(await api.request('/nowhere'), 404, 'route_not_found', 'GET /nowhere')
    await expectError(await api.request('/servers/a/b/c', { method: 'PUT' }), 404, 'route_not_found')
  })
})

describe('validation: 422 naming the field', () => {
  const register = (body: unknown) => api.post('/servers/register', body)

  test('a bad id', async () => {
    for (const id of ['has space', 'slash/no', '', 'x'.repeat(65), 'ümlaut']) {
      await expectError(await register({ ...seedServer(), id }), 422, 'validation_error', '"id"')
    }
    expect(await api.getJson('/servers')).toEqual([])
  })

  test('a URL that is not absolute http(s)', async () => {
    for (const url of [
      'ftp://files.test/mcp',
      '/relative/mcp',
      'not a url',
      'http://',
      'javascript:alert(1)',
      42,
    ]) {
      await expectError(await register({ ...seedServer(), url }), 422, 'validation_error', '"url"')
    }
    await expectError(
      await api.patch('/servers/x', { url: 'file:///etc/passwd' }),
      422,
      'validation_error',
      '"url"',
    )
  })

  test('a missing name', async () => {
    const { name: _, ...rest } = seedServer()
    const body = await expectError(await register(rest), 422, 'validation_error', '"name"')
    expect(body.detail).toContain('required')
  })

  test('a wrong type', async () => {
    await expectError(
      await register({ ...seedServer(), interval_s: 'often' }),
      422,
      'validation_error',
      '"interval_s"',
    )
    await expectError(await register({ ...seedServer(), tags: 'prod' }), 422, 'validation_error', '"tags"')
    await expectError(
      await register({ ...seedServer(), transport: 'carrier-pigeon' }),
      422,
      'validation_error',
      '"transport"',
    )
    await expectError(
      await register({ ...seedServer(), headers: { A: 1 } }),
      422,
      'validation_error',
      '"headers',
    )
    await expectError(await register([1, 2]), 422, 'validation_error')
  })

  test('a bad query filter', async () => {
    await expectError(await api.request('/servers?status=sleepy'), 422, 'validation_error', '"status"')
  })

  test('a body nested deeper than 64 levels, at the top or in a field, is a quick 422', async () => {
    // Elysia's own error text for these once took a stack overflow (a 500) or gigabytes of memory.
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`
    const started = performance.now()
    for (const body of [deep(30_000), `{"name":"x","url":"http://a.test","tags":[${deep(30_000)}]}`]) {
      await expectError(await register(body), 422, 'validation_error', '64 levels')
      await expectError(await api.patch('/servers/x', body), 422, 'validation_error', '64 levels')
    }
    await expectError(await api.patch('/servers/x', `{"name":${deep(5_000)}}`), 422, 'validation_error')
    expect(performance.now() - started).toBeLessThan(2_000)
    expect(api.logs.filter((l) => l.level === 'error')).toEqual([])
  })

  test('invalid JSON is a 400', async () => {
    await expectError(await register('{"id": "x",'), 400, 'invalid_body')
  })
})

describe('413', () => {
  test('a body over 64 KB is refused before it is parsed', async () => {
    const big = { ...seedServer(), name: 'x', tags: Array.from({ length: 30 }, () => 'y'.repeat(3000)) }
    await expectError(await api.post('/servers/register', big), 413, 'payload_too_large', '65536')
    expect(await api.getJson('/servers')).toEqual([])
  })

  test('also when the body is streamed without a Content-Length', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024))
    let sent = 0
    const body = new ReadableStream({
      pull(controller) {
        if (sent++ < 8) controller.enqueue(chunk)
        else controller.close()
      },
    })
    const res = await api.request('/servers/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    })
    expect(res.status).toBe(413)
  })
})

describe('500', () => {
  test('answers without internals when the database fails', async () => {
    api.db.$client.close()
    const body = await expectError(await api.request('/servers'), 500, 'internal_error')
    expect(body.detail).toBe('Internal server error')
    expect(api.logs.some((l) => l.level === 'error' && String(l.error).length > 0)).toBe(true)
  })
})

describe('validation of URLs, ids and numbers (#12)', () => {
  const register = (body: unknown) => api.post('/servers/register', body)

  test('a URL with user:password@ is refused, saying to send credentials in headers', async () => {
    await register(seedServer())
    for (const url of [
      'http://user:pass@mcp.test/mcp',
      'https://token@mcp.test',
      'http://:pw@mcp.test:8080/',
    ]) {
      const body = await expectError(await register({ ...seedServer('x'), url }), 422, 'validation_error')
      expect(body.detail).toContain('"url"')
      expect(body.detail).toContain('`headers`')
      await expectError(await api.patch('/servers/everything', { url }), 422, 'validation_error', '`headers`')
    }
    expect((await api.getJson('/servers')).map((s: { url: string }) => s.url)).toEqual([seedServer().url])
  })

  test('a port outside 1-65535 is refused', async () => {
    for (const url of [
      'http://mcp.test:0/mcp',
      'http://mcp.test:65536/mcp',
      'http://[::1]:00/',
      'http://h:99999999999/',
    ])
      await expectError(
        await register({ ...seedServer(), url }),
        422,
        'validation_error',
        'port from 1 to 65535',
      )
    expect(await api.getJson('/servers')).toEqual([])
  })

  test('the ids "." and ".." are refused; ids with dots in them are not', async () => {
    for (const id of ['.', '..'])
      await expectError(
        await register({ ...seedServer(), id }),
        422,
        'validation_error',
        'other than "." and ".."',
      )
    for (const id of ['...', '.a', 'a..b']) expect((await register({ ...seedServer(), id })).status).toBe(201)
  })

  test('JSON bodies take JSON numbers only: numeric strings are refused, not coerced', async () => {
    await register(seedServer())
    for (const interval_s of ['0x10', '1e3', ' 500 ', '16']) {
      await expectError(
        await register({ ...seedServer(), interval_s }),
        422,
        'validation_error',
        'body field "interval_s" must be an integer from 1 to 86400',
      )
      await expectError(
        await api.patch('/servers/everything', { timeout_ms: interval_s }),
        422,
        'validation_error',
      )
    }
    expect((await api.getJson('/servers/everything')).interval_s).toBeNull()
  })

  test('query parameters take plain decimal digits only', async () => {
    await register(seedServer())
    for (const query of [
      'limit=0x10',
      'limit=1e2',
      'limit=%20500%20',
      'limit=+5',
      'from=1e3',
      'to=0x10',
      'from=-1',
    ])
      await expectError(
        await api.request(`/servers/everything/history?${query}`),
        422,
        'validation_error',
        'decimal digits',
      )
    for (const query of ['limit=5', 'from=1795613790&to=1795613790.5'])
      expect((await api.request(`/servers/everything/history?${query}`)).status).toBe(200)
  })
})

describe('every field of /openapi/json (#12)', () => {
  type Schema = {
    type?: string | string[]
    anyOf?: Schema[]
    maxLength?: number
    properties?: Record<string, Schema>
  }
  type Operation = {
    parameters?: { name: string; in: string; schema: Schema }[]
    requestBody?: { content: Record<string, { schema?: Schema }> }
  }
  const takesBoolean = (s: Schema): boolean =>
    [s.type].flat().includes('boolean') || (s.anyOf ?? []).some(takesBoolean)
  /** A value of the wrong type: a body field gets true (7 if it takes booleans), a query one text. */
  const wrongBody = (s: Schema) => (takesBoolean(s) ? 7 : true)
  const wrongQuery = (s: Schema) => (s.maxLength ? 'x'.repeat(s.maxLength + 1) : 'x!')
  // What each route accepts, but for the field under test.
  const valid: Record<string, object> = {
    'POST /servers/register': { name: 'X', url: 'http://x.test/mcp' },
    'PATCH /servers/{id}': { name: 'X' },
    'POST /v1/chat/completions': { model: 'm', messages: [{ role: 'user', content: 'hi' }] },
    'POST /toolsets': { name: 'x' },
    'PATCH /toolsets/{name}': { prefix: true },
    'POST /keys': { name: 'x', role: 'read' },
  }
  // Fields that take any value, so no value is wrong.
  const anyValue = new Set([
    'POST /servers/register status',
    'POST /servers/register last_checked',
    'POST /servers/register capabilities',
    'POST /servers/register latency_ms',
    'GET /tools servers',
  ])

  test('a wrong value of any body or query field gets a 422 naming the field and what it allows', async () => {
    await api.post('/servers/register', seedServer())
    const doc = (await api.getJson('/openapi/json')) as { paths: Record<string, Record<string, Operation>> }
    const seen: string[] = []
    for (const [path, operations] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(operations)) {
        const route = `${method.toUpperCase()} ${path}`
        const target = path.replace('{id}', 'everything').replace('{name}', 'x')
        const body = op.requestBody?.content['application/json']?.schema?.properties ?? {}
        const query = (op.parameters ?? []).filter((p) => p.in === 'query')
        const cases = [
          ...Object.entries(body).map(([field, s]) => ({ where: 'body', field, value: wrongBody(s) })),
          ...query.map((p) => ({ where: 'query', field: p.name, value: wrongQuery(p.schema) })),
        ].filter((c) => !anyValue.has(`${route} ${c.field}`))
        for (const { where, field, value } of cases) {
          const res =
            where === 'body'
              ? await api.request(target, {
                  method,
                  headers: { 'content-type': 'application/json', ...wsHandshake(path) },
                  body: JSON.stringify({ ...valid[route], [field]: value }),
                })
              : await api.request(`${target}?${field}=${encodeURIComponent(value as string)}`, {
                  method,
                  headers: wsHandshake(path),
                })
          const detail = (await json(res)).detail
          expect({ route, field, status: res.status, detail }).toEqual({
            route,
            field,
            status: 422,
            detail: expect.stringMatching(new RegExp(`^${where} field "${field}" must .+`)),
          })
          seen.push(`${route} ${field}`)
        }
      }
    expect(seen).toEqual(
      expect.arrayContaining([
        'POST /servers/register interval_s',
        'PATCH /servers/{id} url',
        'GET /servers tag',
        'GET /servers/{id}/history limit',
        'GET /servers/{id}/stats window',
        'POST /v1/chat/completions max_tokens',
        'POST /v1/chat/completions stream_options',
        'GET /events since',
        'POST /toolsets servers',
        'PATCH /toolsets/{name} discovery',
        'POST /keys toolset',
      ]),
    )
  })
})

/** `/events` takes its query on the WebSocket upgrade: the rest of the routes get no extra headers. */
const wsHandshake = (path: string): Record<string, string> =>
  path === '/events'
    ? {
        upgrade: 'websocket',
        connection: 'Upgrade',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'sec-websocket-version': '13',
      }
    : {}
