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
