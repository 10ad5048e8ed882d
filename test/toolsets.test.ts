import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createToolsetRepository } from '../src/modules/toolsets/repository'
import { createToolsetService, type ToolsetDraft } from '../src/modules/toolsets/service'
import { freshDb, json, seedServer, startApp, type TestApp } from './helpers/app'

let api: TestApp
beforeAll(async () => {
  api = await startApp()
  for (const id of ['everything', 'files'])
    expect((await api.post('/servers/register', seedServer(id))).status).toBe(201)
})
afterAll(() => api.stop())

const remove = (path: string) => api.request(path, { method: 'DELETE' })
const withKey = (key: string, path: string, init: RequestInit = {}) =>
  fetch(api.base + path, {
    ...init,
    headers: { authorization: `Bearer ${key}`, ...(init.headers as object) },
  })

describe('/toolsets', () => {
  test('create, list, get, patch and delete', async () => {
    const created = await api.post('/toolsets', {
      name: 'docs',
      servers: ['everything'],
      description: 'Docs',
    })
    expect(created.status).toBe(201)
    const body = await json(created)
    expect(body).toMatchObject({
      name: 'docs',
      description: 'Docs',
      servers: ['everything'],
      tags: null,
      tools: null,
      prefix: true,
      discovery: false,
    })
    expect(body.id).toMatch(/^toolset_[0-9a-f]{8}$/)
    expect(body.created_at).toBeNumber()
    expect(await api.getJson('/toolsets/docs')).toEqual(body)
    expect((await api.getJson('/toolsets')).map((t: { name: string }) => t.name)).toContain('docs')

    const patched = await api.patch('/toolsets/docs', {
      servers: null,
      tags: ['prod', 'prod'],
      tools: ['echo'],
    })
    expect(patched.status).toBe(200)
    expect(await json(patched)).toMatchObject({
      servers: null,
      tags: ['prod'],
      tools: ['echo'],
      description: 'Docs',
    })
    expect(await api.getJson('/toolsets/docs')).toMatchObject({
      servers: null,
      tags: ['prod'],
      tools: ['echo'],
    })

    expect((await remove('/toolsets/docs')).status).toBe(204)
    const gone = await api.request('/toolsets/docs')
    expect(gone.status).toBe(404)
    expect(await json(gone)).toEqual({ detail: 'No toolset named "docs"', code: 'toolset_not_found' })
    expect((await remove('/toolsets/docs')).status).toBe(404)
    expect((await api.patch('/toolsets/docs', { prefix: false })).status).toBe(404)
  })

  test('lists are stored once each, in order; the list is sorted by name', async () => {
    await api.post('/toolsets', { name: 'zz', servers: ['files', 'everything', 'files'], tools: [] })
    await api.post('/toolsets', { name: 'aa', prefix: false, discovery: true })
    const listed = await api.getJson('/toolsets')
    const names = listed.map((t: { name: string }) => t.name)
    expect(names.indexOf('aa')).toBeLessThan(names.indexOf('zz'))
    expect(listed.find((t: { name: string }) => t.name === 'zz')).toMatchObject({
      servers: ['files', 'everything'],
      tools: [],
    })
    expect(listed.find((t: { name: string }) => t.name === 'aa')).toMatchObject({
      prefix: false,
      discovery: true,
    })
  })

  test('names: lowercase letters, digits, _ and -, 1-64, not sse or message', async () => {
    for (const name of ['Docs', '-docs', '_x', '', 'a'.repeat(65), 'a b', 'a.b', 'a/b', 'é']) {
      const res = await api.post('/toolsets', { name })
      expect(res.status, name).toBe(422)
      expect((await json(res)).code, name).toBe('validation_error')
    }
    for (const name of ['sse', 'message']) {
      const res = await api.post('/toolsets', { name })
      expect(res.status).toBe(422)
      expect(await json(res)).toEqual({
        code: 'toolset_name_reserved',
        detail: `body field "name": "${name}" is reserved (sse, message are the gateway's own paths)`,
      })
    }
    expect((await api.post('/toolsets', { name: `0${'a'.repeat(63)}` })).status).toBe(201)
  })

  test('a duplicate name is 409 toolset_exists; an unknown server 422 unknown_server', async () => {
    expect((await api.post('/toolsets', { name: 'twice' })).status).toBe(201)
    const again = await api.post('/toolsets', { name: 'twice', servers: ['files'] })
    expect(again.status).toBe(409)
    expect((await json(again)).code).toBe('toolset_exists')

    const unknown = await api.post('/toolsets', { name: 'ghosts', servers: ['everything', 'nope', 'gone'] })
    expect(unknown.status).toBe(422)
    expect(await json(unknown)).toEqual({
      code: 'unknown_server',
      detail: 'body field "servers": no server registered with id "nope", "gone"',
    })
    expect((await api.request('/toolsets/ghosts')).status).toBe(404)
    const patch = await api.patch('/toolsets/twice', { servers: ['nope'] })
    expect(patch.status).toBe(422)
    expect((await json(patch)).code).toBe('unknown_server')
    expect((await api.getJson('/toolsets/twice')).servers).toBeNull()
  })

  test('PATCH takes no name, no unknown field and not an empty body', async () => {
    await api.post('/toolsets', { name: 'fixed' })
    for (const body of [
      { name: 'other' },
      { prefixes: false },
      {},
      { servers: 'everything' },
      { prefix: 'no' },
    ]) {
      const res = await api.patch('/toolsets/fixed', body)
      expect(res.status, JSON.stringify(body)).toBe(422)
      expect((await json(res)).code).toBe('validation_error')
    }
    expect((await api.request('/toolsets/other')).status).toBe(404)
  })

  test('a read key lists and reads toolsets, and changes none', async () => {
    await api.post('/toolsets', { name: 'readable' })
    const { key } = api.services.keys.create('reader', 'read')
    expect((await withKey(key, '/toolsets')).status).toBe(200)
    expect((await withKey(key, '/toolsets/readable')).status).toBe(200)
    const post = await withKey(key, '/toolsets', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'nope' }),
    })
    expect(post.status).toBe(403)
    expect((await withKey(key, '/toolsets/readable', { method: 'DELETE' })).status).toBe(403)
  })

  test('a toolset that keys are limited to is not deleted (409 toolset_in_use) until they are revoked', async () => {
    await api.post('/toolsets', { name: 'desktop' })
    const one = api.services.keys.create('laptop', 'read', { toolset: 'desktop' })
    const two = api.services.keys.create('phone', 'read', { toolset: 'desktop' })
    const refused = await remove('/toolsets/desktop')
    expect(refused.status).toBe(409)
    expect(await json(refused)).toEqual({
      code: 'toolset_in_use',
      detail: '2 API keys are limited to the toolset "desktop": revoke them first (DELETE /keys/{id})',
    })
    api.services.keys.revoke(one.row.id)
    expect((await json(await remove('/toolsets/desktop'))).detail).toStartWith('1 API key is limited')
    api.services.keys.revoke(two.row.id)
    expect((await remove('/toolsets/desktop')).status).toBe(204)
  })
})

describe('the toolset service hooks', () => {
  const service = (collisions: (draft: ToolsetDraft) => Promise<string[]>, changed: string[]) =>
    createToolsetService({
      repo: createToolsetRepository(freshDb()),
      hasServer: () => true,
      keysLimitedTo: () => 0,
      collisions,
      onChange: (name) => changed.push(name),
    })
  const status = (promise: Promise<unknown>) =>
    promise.then(
      () => 'ok',
      (e: { status: number; code: string; message: string }) => `${e.status} ${e.code}: ${e.message}`,
    )

  test('prefix false asks the collision check, and names what collides (409); prefix true does not ask', async () => {
    const asked: ToolsetDraft[] = []
    const changed: string[] = []
    const toolsets = service(async (draft) => {
      asked.push(draft)
      return draft.servers?.includes('b') ? ['echo', 'add'] : []
    }, changed)
    expect(await status(toolsets.create({ name: 'one', servers: ['a', 'b'] }))).toBe('ok')
    expect(asked).toHaveLength(0)
    expect(await status(toolsets.create({ name: 'two', servers: ['a', 'b'], prefix: false }))).toBe(
      '409 tool_name_collision: With "prefix": false, these tool names are offered by more than one selected server: echo, add',
    )
    expect(asked[0]).toMatchObject({ name: 'two', servers: ['a', 'b'], prefix: false, tags: null })
    expect(await status(toolsets.create({ name: 'three', servers: ['a'], prefix: false }))).toBe('ok')
    // A patch is checked as the toolset would be after it: here `one` turned unprefixed.
    expect(await status(toolsets.patch('one', { prefix: false }))).toStartWith('409 tool_name_collision')
    expect(await status(toolsets.patch('three', { servers: ['a', 'b'] }))).toStartWith(
      '409 tool_name_collision',
    )
    expect(await status(toolsets.patch('three', { servers: ['c'] }))).toBe('ok')
    expect(toolsets.get('one').prefix).toBe(true)
    expect(toolsets.get('three').servers).toEqual(['c'])
    // Only what was saved was announced.
    expect(changed).toEqual(['one', 'three', 'three'])
    toolsets.remove('one')
    expect(changed).toEqual(['one', 'three', 'three', 'one'])
  })

  test('a create that lost the race for its name while the collision check ran is 409 toolset_exists', async () => {
    let release = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const toolsets = service(async () => {
      await gate
      return []
    }, [])
    const slow = status(toolsets.create({ name: 'same', prefix: false }))
    expect(await status(toolsets.create({ name: 'same' }))).toBe('ok')
    release()
    expect(await slow).toBe('409 toolset_exists: A toolset named "same" exists already')
  })
})
