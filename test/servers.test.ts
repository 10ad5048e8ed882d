import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { checks, servers } from '../src/db/schema'
import { json, seedServer, startApp, type TestApp } from './helpers/app'

const eqId = (id: string) => eq(servers.id, id)

let api: TestApp
beforeEach(async () => {
  api = await startApp()
})
afterEach(() => api.stop())

describe('POST /servers/register', () => {
  test('accepts the seed body: 201 when created, 200 when the same id is registered again', async () => {
    const first = await api.post('/servers/register', seedServer())
    expect(first.status).toBe(201)
    expect(await json(first)).toEqual({ status: 'success', server_id: 'everything' })

    const again = await api.post('/servers/register', { ...seedServer(), name: 'Renamed' })
    expect(again.status).toBe(200)
    expect(await json(again)).toEqual({ status: 'success', server_id: 'everything' })
    expect((await api.getJson('/servers')).map((s: { name: string }) => s.name)).toEqual(['Renamed'])
  })

  test('ignores the fields the server owns: status, last_checked, capabilities, latency_ms', async () => {
    await api.post('/servers/register', seedServer())
    const info = await api.getJson('/servers/everything')
    expect(info.status).toBe('unknown')
    expect(info.last_checked).toBeNull()
    expect(info.latency_ms).toBeNull()
    expect(info.capabilities).toEqual({})
  })

  test('accepts a body read back from GET /servers (a client round trip)', async () => {
    await api.post('/servers/register', seedServer())
    const [info] = await api.getJson('/servers')
    const res = await api.post('/servers/register', { ...info, name: 'Round trip' })
    expect(res.status).toBe(200)
    expect((await api.getJson('/servers/everything')).name).toBe('Round trip')
  })

  test('generates a readable id when none is given', async () => {
    const res = await api.post('/servers/register', { name: 'My Files!', url: 'http://localhost:4000/mcp' })
    expect(res.status).toBe(201)
    const { server_id } = await json(res)
    expect(server_id).toMatch(/^my-files-[0-9a-f]{8}$/)
    expect((await api.getJson(`/servers/${server_id}`)).name).toBe('My Files!')
  })

  test('stores our fields with their defaults', async () => {
    await api.post('/servers/register', { id: 'a', name: 'A', url: 'http://a.test/mcp' })
    await api.post('/servers/register', {
      id: 'b',
      name: 'B',
      url: 'https://b.test/sse',
      transport: 'sse',
      interval_s: 10,
      timeout_ms: 2500,
      tags: ['prod', 'files'],
    })
    const [a, b] = await api.getJson('/servers')
    expect(a).toMatchObject({
      transport: 'auto',
      interval_s: null,
      timeout_ms: null,
      tags: [],
      header_names: [],
    })
    expect(b).toMatchObject({ transport: 'sse', interval_s: 10, timeout_ms: 2500, tags: ['prod', 'files'] })
  })

  test('registering again replaces the settings: omitted ones return to their defaults', async () => {
    await api.post('/servers/register', {
      id: 'a',
      name: 'A',
      url: 'http://a.test',
      tags: ['x'],
      interval_s: 5,
    })
    await api.post('/servers/register', { id: 'a', name: 'A', url: 'http://a.test' })
    expect(await api.getJson('/servers/a')).toMatchObject({ tags: [], interval_s: null })
  })
})

describe('what is stored (#12)', () => {
  test('tags are stored once each, in the order first given, on register and on PATCH', async () => {
    await api.post('/servers/register', {
      id: 'a',
      name: 'A',
      url: 'http://a.test',
      tags: ['x', 'y', 'x', 'x'],
    })
    expect((await api.getJson('/servers/a')).tags).toEqual(['x', 'y'])
    expect((await json(await api.patch('/servers/a', { tags: ['z', 'z', 'y', 'z'] }))).tags).toEqual([
      'z',
      'y',
    ])
    expect((await api.getJson('/servers?tag=z')).map((s: { tags: string[] }) => s.tags)).toEqual([['z', 'y']])
  })

  test('an IDN host is accepted like its punycode', async () => {
    for (const [id, url] of [
      ['idn', 'http://bücher.example/mcp'],
      ['punycode', 'http://xn--bcher-kva.example/mcp'],
    ]) {
      const res = await api.post('/servers/register', { id, name: id, url })
      expect({ id, status: res.status }).toEqual({ id, status: 201 })
      expect((await api.getJson(`/servers/${id}`)).url).toBe(url)
    }
    expect((await api.patch('/servers/idn', { url: 'https://bücher.example:8443/mcp' })).status).toBe(200)
  })
})

describe('reading servers', () => {
  test('GET /servers lists every server with the seed fields and ours', async () => {
    await api.post('/servers/register', seedServer('one'))
    await api.post('/servers/register', seedServer('two'))
    const list = await api.getJson('/servers')
    expect(list.map((s: { id: string }) => s.id)).toEqual(['one', 'two'])
    expect(Object.keys(list[0]).sort()).toEqual(
      [
        'capabilities',
        'active_transport',
        'args',
        'auth',
        'command',
        'cwd',
        'env_names',
        'process',
        'created_at',
        'failure_threshold',
        'handshake_ms',
        'header_names',
        'id',
        'interval_s',
        'last_checked',
        'latency_ms',
        'name',
        'status',
        'status_reason',
        'success_threshold',
        'tags',
        'timeout_ms',
        'transport',
        'updated_at',
        'uptime_24h',
        'url',
      ].sort(),
    )
    expect(list[0].created_at).toBeCloseTo(Date.now() / 1000, -1)
  })

  test('filters by status and by tag', async () => {
    await api.post('/servers/register', { id: 'a', name: 'A', url: 'http://a.test', tags: ['prod'] })
    await api.post('/servers/register', { id: 'b', name: 'B', url: 'http://b.test', tags: ['dev', 'prod'] })
    await api.post('/servers/register', { id: 'c', name: 'C', url: 'http://c.test', tags: ['dev'] })
    api.db.update(servers).set({ status: 'healthy' }).where(eqId('b')).run()
    api.db.update(servers).set({ status: 'healthy' }).where(eqId('c')).run()

    const ids = async (q: string) => (await api.getJson(`/servers${q}`)).map((s: { id: string }) => s.id)
    expect(await ids('?tag=prod')).toEqual(['a', 'b'])
    expect(await ids('?status=healthy')).toEqual(['b', 'c'])
    expect(await ids('?status=healthy&tag=prod')).toEqual(['b'])
    expect(await ids('?status=unknown')).toEqual(['a'])
    expect(await ids('?tag=none')).toEqual([])
  })

  test('GET /servers answers 304 to a matching If-None-Match and a new ETag after a change', async () => {
    await api.post('/servers/register', seedServer())
    const first = await api.request('/servers')
    const etag = first.headers.get('etag')
    expect(etag).toBeTruthy()
    const cached = await api.request('/servers', { headers: { 'if-none-match': etag as string } })
    expect(cached.status).toBe(304)
    await api.post('/servers/register', seedServer('another'))
    const changed = await api.request('/servers', { headers: { 'if-none-match': etag as string } })
    expect(changed.status).toBe(200)
    expect(await json(changed)).toHaveLength(2)
  })

  test('GET /servers/{id} and the seed route /servers/{id}/status return the server', async () => {
    await api.post('/servers/register', seedServer())
    const one = await api.getJson('/servers/everything')
    expect(one).toMatchObject({
      id: 'everything',
      name: 'Everything',
      url: 'http://127.0.0.1:3001/mcp',
      status: 'unknown',
    })
    expect(await api.getJson('/servers/everything/status')).toEqual(one)
  })
})

describe('PATCH /servers/{id}', () => {
  test('changes only the given fields; null resets a setting to its default', async () => {
    await api.post('/servers/register', {
      id: 'a',
      name: 'A',
      url: 'http://a.test',
      interval_s: 60,
      tags: ['x'],
    })
    const res = await api.patch('/servers/a', { name: 'Alpha', interval_s: null, timeout_ms: 900 })
    expect(res.status).toBe(200)
    const info = await json(res)
    expect(info).toMatchObject({
      name: 'Alpha',
      url: 'http://a.test',
      interval_s: null,
      timeout_ms: 900,
      tags: ['x'],
    })
    expect(info.updated_at).toBeGreaterThanOrEqual(info.created_at)
    expect(await api.getJson('/servers/a')).toEqual(info)
  })

  test('a new URL forgets the last check; a new name keeps it', async () => {
    await api.post('/servers/register', { id: 'a', name: 'A', url: 'http://a.test' })
    api.db
      .update(servers)
      .set({ status: 'healthy', latencyMs: 3, lastCheckedAt: Date.now(), activeTransport: 'sse' })
      .where(eqId('a'))
      .run()
    expect((await json(await api.patch('/servers/a', { name: 'B' }))).status).toBe('healthy')
    const moved = await json(await api.patch('/servers/a', { url: 'http://b.test' }))
    expect(moved).toMatchObject({
      status: 'unknown',
      latency_ms: null,
      last_checked: null,
      active_transport: null,
    })
  })

  test('new headers forget the last check too, by PATCH or by registering again; the same ones keep it', async () => {
    const body = { id: 'a', name: 'A', url: 'http://a.test', headers: { 'x-one': '1', 'x-two': '2' } }
    await api.post('/servers/register', body)
    const checked = () =>
      api.db
        .update(servers)
        .set({ status: 'healthy', capabilities: { tools: ['t'] }, lastCheckedAt: Date.now() })
        .where(eqId('a'))
        .run()
    const forgotten = { status: 'unknown', capabilities: {}, last_checked: null }
    checked()
    // The same headers in another order are the same endpoint.
    await api.post('/servers/register', { ...body, headers: { 'x-two': '2', 'x-one': '1' } })
    expect(await api.getJson('/servers/a')).toMatchObject({ status: 'healthy' })
    await api.post('/servers/register', { ...body, headers: { 'x-one': '1', 'x-two': 'other' } })
    expect(await api.getJson('/servers/a')).toMatchObject(forgotten)
    checked()
    expect(await json(await api.patch('/servers/a', { headers: { 'x-one': '1' } }))).toMatchObject(forgotten)
  })

  test('404 for an unknown server, 422 for an empty or unknown field', async () => {
    expect((await api.patch('/servers/nope', { name: 'x' })).status).toBe(404)
    await api.post('/servers/register', seedServer())
    const empty = await api.patch('/servers/everything', {})
    expect(empty.status).toBe(422)
    const unknown = await api.patch('/servers/everything', { nmae: 'typo' })
    expect(unknown.status).toBe(422)
    expect((await json(unknown)).detail).toContain('nmae')
  })
})

describe('DELETE /servers/{id}', () => {
  test('204, then the server and its check history are gone', async () => {
    await api.post('/servers/register', seedServer())
    api.db
      .insert(checks)
      .values({ serverId: 'everything', checkedAt: Date.now(), status: 'healthy', latencyMs: 5 })
      .run()
    const res = await api.request('/servers/everything', { method: 'DELETE' })
    expect(res.status).toBe(204)
    expect(await res.text()).toBe('')
    expect((await api.request('/servers/everything')).status).toBe(404)
    expect(await api.getJson('/servers')).toEqual([])
    expect(api.db.select().from(checks).all()).toEqual([])
    expect((await api.request('/servers/everything', { method: 'DELETE' })).status).toBe(404)
  })
})

describe('headers are write-only', () => {
  test('no route returns a header value; only the names are shown', async () => {
    const secret = 'Bearer sk-very-secret-token-123'
    await api.post('/servers/register', {
      ...seedServer(),
      headers: { Authorization: secret, 'X-Team': 'blue-secret' },
    })
    await api.patch('/servers/everything', { headers: { Authorization: secret, 'X-Team': 'blue-secret' } })
    const bodies = await Promise.all(
      ['/servers', '/servers/everything', '/servers/everything/status', '/openapi/json'].map(async (p) =>
        (await api.request(p)).text(),
      ),
    )
    for (const body of bodies) {
      expect(body).not.toContain('sk-very-secret')
      expect(body).not.toContain('blue-secret')
    }
    expect((await api.getJson('/servers/everything')).header_names).toEqual(['Authorization', 'X-Team'])
    expect(api.logs.map((l) => JSON.stringify(l)).join('\n')).not.toContain('sk-very-secret')
  })
})

describe('request log', () => {
  test('one JSON line per request with method, route pattern, status and duration', async () => {
    await api.request('/servers/missing')
    await Bun.sleep(20)
    const line = api.logs.find((l) => l.msg === 'request' && l.route === '/servers/:id')
    expect(line).toMatchObject({ level: 'info', method: 'GET', status: 404 })
    expect(typeof line?.ms).toBe('number')
  })
})
