import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { json, startApp, type TestApp } from './helpers/app'

let api: TestApp
beforeAll(async () => {
  api = await startApp()
  expect((await api.post('/toolsets', { name: 'desktop' })).status).toBe(201)
})
afterAll(() => api.stop())

const withKey = (key: string, path: string, init: RequestInit = {}) =>
  fetch(api.base + path, {
    ...init,
    headers: { authorization: `Bearer ${key}`, ...(init.headers as object) },
  })
const postAs = (key: string, path: string, body: unknown) =>
  withKey(key, path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

describe('/keys', () => {
  test('a created key is shown once, works at once, is listed without its secret, and is revoked', async () => {
    const res = await api.post('/keys', { name: 'dashboard', role: 'read' })
    expect(res.status).toBe(201)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const created = await json(res)
    expect(created).toMatchObject({
      name: 'dashboard',
      role: 'read',
      toolset: null,
      last_used_at: null,
      revoked_at: null,
    })
    expect(created.id).toMatch(/^key_[0-9a-f]{8}$/)
    expect(created.key).toMatch(/^amcp_[A-Za-z0-9_-]{43}$/)
    expect(created.prefix).toBe(`${created.key.slice(0, 12)}…`)
    expect((await withKey(created.key, '/servers')).status).toBe(200)

    const listText = await (await api.request('/keys')).text()
    expect(listText).not.toContain(created.key)
    const hash = new Bun.CryptoHasher('sha256').update(created.key).digest('hex')
    expect(listText).not.toContain(hash)
    const listed = JSON.parse(listText).find((k: { id: string }) => k.id === created.id)
    const { key: _shownOnce, ...info } = created
    expect(Object.keys(listed).sort()).toEqual(Object.keys(info).sort())
    expect(listed.last_used_at).toBeNumber() // it was used just above

    expect((await api.request(`/keys/${created.id}`, { method: 'DELETE' })).status).toBe(204)
    expect((await withKey(created.key, '/servers')).status).toBe(401)
    const again = await api.request(`/keys/${created.id}`, { method: 'DELETE' })
    expect(again.status).toBe(404)
    expect(await json(again)).toEqual({
      code: 'key_not_found',
      detail: `No active key with id "${created.id}"`,
    })
    expect(
      (await api.getJson('/keys')).find((k: { id: string }) => k.id === created.id).revoked_at,
    ).toBeNumber()
    expect((await api.request('/keys/key_00000000', { method: 'DELETE' })).status).toBe(404)
  })

  test("keys made by the CLI's repository are listed the same way", async () => {
    const { row } = api.services.keys.create('from the cli', 'admin')
    const listed = (await api.getJson('/keys')).find((k: { id: string }) => k.id === row.id)
    expect(listed).toMatchObject({ name: 'from the cli', role: 'admin', toolset: null })
  })

  test('only admin keys manage keys', async () => {
    const { key } = api.services.keys.create('reader', 'read')
    expect((await withKey(key, '/keys')).status).toBe(403)
    const post = await postAs(key, '/keys', { name: 'escalate', role: 'admin' })
    expect(post.status).toBe(403)
    expect((await json(post)).code).toBe('forbidden')
    expect((await withKey(key, '/keys/key_00000000', { method: 'DELETE' })).status).toBe(403)
    const { key: admin } = api.services.keys.create('admin', 'admin')
    expect((await postAs(admin, '/keys', { name: 'made by another admin', role: 'read' })).status).toBe(201)
  })

  test('the body: a role unless there is a toolset, a toolset that exists, nothing else', async () => {
    const noRole = await api.post('/keys', { name: 'x' })
    expect(noRole.status).toBe(422)
    expect(await json(noRole)).toEqual({
      code: 'validation_error',
      detail: 'body field "role" is required (admin or read) unless "toolset" is given',
    })
    const unknown = await api.post('/keys', { name: 'x', toolset: 'nope' })
    expect(unknown.status).toBe(422)
    expect((await json(unknown)).code).toBe('unknown_toolset')
    for (const body of [
      { name: 'x', role: 'root' },
      { role: 'read' },
      { name: '', role: 'read' },
      { name: 'x', role: 'read', extra: 1 },
      { name: 'x', toolset: 'Desk Top' },
    ]) {
      const res = await api.post('/keys', body)
      expect(res.status, JSON.stringify(body)).toBe(422)
      expect((await json(res)).code).toBe('validation_error')
    }
  })
})

describe('a key limited to a toolset', () => {
  test('is a read key by default, and reaches no route of the API (403 toolset_only)', async () => {
    const created = await json(await api.post('/keys', { name: 'claude desktop', toolset: 'desktop' }))
    expect(created).toMatchObject({ role: 'read', toolset: 'desktop' })
    const refused = await withKey(created.key, '/servers')
    expect(refused.status).toBe(403)
    expect(await json(refused)).toEqual({
      code: 'toolset_only',
      detail: 'This key is limited to the toolset desktop: use /mcp/desktop',
    })
    for (const path of [
      '/toolsets/desktop',
      '/toolsets',
      '/keys',
      '/servers/x',
      '/tools',
      '/no/such/route',
      '/mcp',
    ]) {
      const res = await withKey(created.key, path)
      expect(res.status, path).toBe(403)
      expect((await json(res)).code, path).toBe('toolset_only')
    }
    expect((await postAs(created.key, '/toolsets', { name: 'more' })).status).toBe(403)
    const socket = new WebSocket(`${api.base.replace('http', 'ws')}/events?token=${created.key}`)
    expect(
      await new Promise((resolve) => {
        socket.onopen = () => resolve('opened')
        socket.onerror = () => resolve('refused')
      }),
    ).toBe('refused')
    // Public routes stay public: the key is not needed there.
    expect((await withKey(created.key, '/health')).status).toBe(200)
  })

  test('an admin key limited to a toolset is limited too', async () => {
    const created = await json(
      await api.post('/keys', { name: 'admin desktop', role: 'admin', toolset: 'desktop' }),
    )
    expect(created.role).toBe('admin')
    const res = await withKey(created.key, '/servers', { method: 'GET' })
    expect((await json(res)).code).toBe('toolset_only')
    expect((await postAs(created.key, '/keys', { name: 'escape', role: 'admin' })).status).toBe(403)
  })
})
