import { afterEach, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { openDb } from '../src/db/client'
import { createToolsetRepository } from '../src/modules/toolsets/repository'
import { adminKey, freshDb, json, seedServer, startApp, type TestApp } from './helpers/app'
import { runCli, startServer, tempDir } from './helpers/process'
import { fakeUpstream } from './helpers/upstream'
import { connectWs } from './helpers/ws'

let api: TestApp
afterEach(() => api?.stop())

const toolsetDefaults = {
  description: null,
  servers: null,
  tags: null,
  tools: null,
  prefix: true,
  discovery: false,
}

const anonymous = (path: string, init: RequestInit = {}) => fetch(api.base + path, init)
const withKey = (key: string, path: string, init: RequestInit = {}) =>
  fetch(api.base + path, {
    ...init,
    headers: { authorization: `Bearer ${key}`, ...(init.headers as object) },
  })
const wsBase = () => api.base.replace('http', 'ws')

/** Opens a WebSocket; resolves with it once open, rejects when the server refuses the upgrade. */
function openWs(url: string, options?: string[] | { headers: Record<string, string> }): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    // Bun's WebSocket also takes `{ headers }`, which the DOM typings do not know.
    const ws = new WebSocket(url, options as string[] | undefined)
    ws.onopen = () => resolve(ws)
    ws.onerror = () => reject(new Error('refused'))
  })
}

describe('API keys', () => {
  test('every documented route but the public ones answers 401 without a key', async () => {
    // With the status page on, so its public routes are documented (and so checked) too.
    const config = { statusPage: 'public' as const }
    api = await startApp({ config })
    const doc = await json(await anonymous('/openapi/json'))
    const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) =>
        Object.keys(ops).map((method) => [method.toUpperCase(), path.replace(/\{[^}]+\}/g, 'x')] as const),
    )
    expect(operations.length).toBeGreaterThanOrEqual(12)
    // An address gets 30 missing or wrong keys a minute before 429s: a fresh app (and allowance) every 25.
    let refused = 0
    const fresh = async () => {
      await api.stop()
      api = await startApp({ config })
    }
    for (const [method, path] of operations) {
      if (++refused % 25 === 0) await fresh()
      const res = await anonymous(path, {
        method,
        headers: { 'content-type': 'application/json' },
        body: method === 'GET' ? undefined : '{}',
      })
      if (method === 'GET' && path === '/health') {
        expect(res.status).toBe(200)
        continue
      }
      // The browser's way back from an authorization server: its key is the `state` (here none: 400).
      if (method === 'GET' && path === '/oauth/callback') {
        expect(res.status).toBe(400)
        expect((await json(res)).code).toBe('invalid_state')
        continue
      }
      if (method === 'GET' && path === '/oauth/client-metadata.json') {
        expect(res.status).toBe(200)
        continue
      }
      // The dashboard's page and the status page; an unknown file or server is a 404 there, not a 401.
      if (method === 'GET' && (path === '/' || path === '/status')) {
        expect(res.status, path).toBe(200)
        continue
      }
      if (method === 'GET' && /^\/(assets|status)\/x$|^\/badge\/x\//.test(path)) {
        expect(res.status, path).toBe(404)
        continue
      }
      expect(res.status, `${method} ${path}`).toBe(401)
      expect(res.headers.get('www-authenticate')).toBe('Bearer')
      const body = await json(res)
      expect(body).toMatchObject({ code: 'unauthorized', detail: expect.stringContaining('Bearer') })
      // The OpenAI-compatible routes add OpenAI's error object, which OpenAI SDKs read; nothing else does.
      if (path.startsWith('/v1/'))
        expect(body.error).toEqual({ message: body.detail, type: 'unauthorized', code: 'unauthorized' })
      else expect(Object.keys(body).sort()).toEqual(['code', 'detail'])
    }
    for (const open of ['/health', '/openapi/json', '/swagger'])
      expect((await anonymous(open)).status).toBe(200)

    await fresh()
    const wrong = await withKey('amcp_not-a-key', '/servers')
    expect(wrong.status).toBe(401)
    expect((await json(wrong)).code).toBe('invalid_api_key')
    expect((await withKey(adminKey, '/servers')).status).toBe(200)
    expect(
      (await anonymous('/servers', { headers: { authorization: `Basic ${btoa(`x:${adminKey}`)}` } })).status,
    ).toBe(401)
  })

  test('a read key can look but not change; /chat takes an admin key', async () => {
    const upstream = fakeUpstream()
    api = await startApp({ config: { upstreamUrl: upstream.url } })
    await api.post('/servers/register', seedServer('s'))
    const { key } = api.services.keys.create('dashboard', 'read')
    expect((await withKey(key, '/servers')).status).toBe(200)
    expect((await withKey(key, '/servers/s/history')).status).toBe(200)
    expect((await withKey(key, '/chat/models', { method: 'POST' })).status).toBe(200)
    for (const [method, path] of [
      ['POST', '/servers/register'],
      ['PATCH', '/servers/s'],
      ['DELETE', '/servers/s'],
      ['POST', '/servers/s/test'],
    ]) {
      const res = await withKey(key, path as string, {
        method,
        headers: { 'content-type': 'application/json' },
        body: '{}',
      })
      expect(res.status, `${method} ${path}`).toBe(403)
      expect((await json(res)).code).toBe('forbidden')
    }
    expect((await api.getJson('/servers/s')).id).toBe('s') // nothing was deleted
    ;(await openWs(`${wsBase()}/events?token=${key}`)).close()
    await expect(openWs(`${wsBase()}/chat?token=${key}`)).rejects.toThrow('refused')
    upstream.stop()
  })

  test('WebSockets take the key as a header, a token parameter or a bearer.<key> subprotocol', async () => {
    api = await startApp()
    await expect(openWs(`${wsBase()}/events`)).rejects.toThrow('refused')
    await expect(openWs(`${wsBase()}/events?token=wrong`)).rejects.toThrow('refused')
    ;(await openWs(`${wsBase()}/events`, { headers: { authorization: `Bearer ${adminKey}` } })).close()
    ;(await openWs(`${wsBase()}/events?token=${adminKey}`)).close()
    const viaProtocol = await openWs(`${wsBase()}/chat`, ['automcp', `bearer.${adminKey}`])
    expect(viaProtocol.protocol).toBe('automcp') // a browser needs one protocol chosen
    viaProtocol.close()
  })

  test('with CORS origins set, a WebSocket from another origin is refused; preflight allows Authorization', async () => {
    api = await startApp({ corsOrigins: ['https://app.example.com'] })
    const url = `${wsBase()}/events?token=${adminKey}`
    await expect(openWs(url, { headers: { origin: 'https://evil.example.com' } })).rejects.toThrow('refused')
    ;(await openWs(url, { headers: { origin: 'https://app.example.com' } })).close()
    ;(await openWs(url)).close() // no Origin: not a browser
    const preflight = await anonymous('/servers', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    })
    expect(preflight.status).toBeLessThan(300)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization')
    expect(preflight.headers.get('access-control-allow-credentials')).not.toBe('true')
  })

  test('revoking a key refuses its next chat at once and closes its open sockets (1008)', async () => {
    const upstream = fakeUpstream()
    api = await startApp({ config: { upstreamUrl: upstream.url } })
    const { key, row } = api.services.keys.create('laptop', 'admin')
    const chat = await connectWs(`${wsBase()}/chat?token=${key}`)
    const events = await connectWs(`${wsBase()}/events?token=${key}`)
    const closed = [chat, events].map(
      (c) => new Promise<number>((resolve) => c.ws.addEventListener('close', (e) => resolve(e.code))),
    )
    chat.send({ id: 'before', model: 'any', messages: [{ role: 'user', content: 'hi' }] })
    expect((await chat.next((m) => m.id === 'before')).type).toBe('response')
    api.services.keys.revoke(row.id)
    chat.send({ id: 'after', model: 'any', messages: [{ role: 'user', content: 'hi' }] })
    expect((await chat.next((m) => m.id === 'after')).error.code).toBe('invalid_api_key')
    expect(await Promise.all(closed)).toEqual([1008, 1008])
    expect(upstream.seen).toHaveLength(1)
    upstream.stop()
  })

  test('AUTOMCP_AUTH=off lets requests in without a key', async () => {
    api = await startApp({ auth: 'off' })
    expect((await anonymous('/servers')).status).toBe(200)
    const client = await connectWs(`${wsBase()}/events`)
    expect((await client.next((m) => m.type === 'snapshot')).type).toBe('snapshot')
    client.close()
  })
})

describe('keys in the real process', () => {
  test('the first start creates and prints one admin key; the CLI adds and revokes keys, at once', async () => {
    const db = join(tempDir(), 'auth.db')
    const first = await startServer(['--db', db], { AUTOMCP_API_KEY: '' })
    const printed = /amcp_[A-Za-z0-9_-]{43}/.exec(first.stderr())?.[0] as string
    expect(printed).toBeString()
    const get = (key: string) =>
      fetch(`${first.base}/servers`, { headers: { authorization: `Bearer ${key}` } })
    expect((await get(printed)).status).toBe(200)
    expect(first.lines.join('\n')).not.toContain(printed) // the log never holds it

    // keys created and revoked by another process, against the running server's database
    const created = await runCli(['keys', 'create', '--name', 'ci', '--role', 'read', '--db', db])
    expect(created.code).toBe(0)
    const readKey = /amcp_[A-Za-z0-9_-]{43}/.exec(created.stdout)?.[0] as string
    expect((await get(readKey)).status).toBe(200)
    const id = /key_[0-9a-f]{8}/.exec(created.stdout)?.[0] as string
    const listed = await runCli(['keys', 'list', '--db', db])
    expect(listed.stdout).toContain(id)
    expect(listed.stdout).not.toContain(readKey)
    expect((await runCli(['keys', 'revoke', id, '--db', db])).code).toBe(0)
    expect((await get(readKey)).status).toBe(401)
    expect((await runCli(['keys', 'revoke', id, '--db', db])).code).toBe(2)
    first.proc.kill('SIGTERM')
    await first.proc.exited

    const second = await startServer(['--db', db], { AUTOMCP_API_KEY: '' })
    expect(second.stderr()).not.toMatch(/amcp_/) // a key exists: none is made
    second.proc.kill('SIGTERM')
    await second.proc.exited
  }, 30_000) // five processes, one after another

  test('keys create --toolset: the toolset must exist; the key is a read key limited to it', async () => {
    const path = join(tempDir(), 'toolset-keys.db')
    const db = freshDb(path)
    createToolsetRepository(db).insert('docs', toolsetDefaults, Date.now())
    db.$client.close()

    const unknown = await runCli(['keys', 'create', '--toolset', 'nope', '--db', path])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('--toolset: no toolset named "nope"')
    const created = await runCli(['keys', 'create', '--name', 'desk', '--toolset=docs', '--db', path])
    expect(created.code).toBe(0)
    expect(created.stdout).toContain('(read, "desk", limited to the toolset docs: /mcp/docs)')
    const key = /amcp_[A-Za-z0-9_-]{43}/.exec(created.stdout)?.[0] as string
    expect((await runCli(['keys', 'list', '--db', path])).stdout).toMatch(/read .*toolset docs {2}"desk"/)

    api = await startApp({ db: openDb(path) })
    const res = await fetch(`${api.base}/servers`, { headers: { authorization: `Bearer ${key}` } })
    expect(res.status).toBe(403)
    expect((await json(res)).code).toBe('toolset_only')
    expect((await api.getJson('/keys')).find((k: { name: string }) => k.name === 'desk')).toMatchObject({
      role: 'read',
      toolset: 'docs',
    })
  })

  test('AUTOMCP_AUTH=off logs a warning at start', async () => {
    const server = await startServer(['--db', ':memory:'], { AUTOMCP_AUTH: 'off' })
    expect(
      server.lines.some((l) => l.includes('"level":"warn"') && l.includes('authentication is off')),
    ).toBe(true)
    expect((await fetch(`${server.base}/servers`)).status).toBe(200)
    server.proc.kill('SIGTERM')
    await server.proc.exited
  })
})

describe('requests crafted to look public', () => {
  /** One raw HTTP/1.1 request, so that the Host header is exactly what we say. */
  async function raw(port: number, request: string): Promise<number> {
    const { connect } = await import('node:net')
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(request))
      let text = ''
      socket.on('data', (d) => {
        text += d
        const status = /^HTTP\/1\.1 (\d{3})/.exec(text)
        if (status) {
          resolve(Number(status[1]))
          socket.destroy()
        }
      })
      socket.on('error', reject)
    })
  }

  test('odd Host headers and fake upgrades get no further than a plain request without a key', async () => {
    api = await startApp()
    await api.post('/servers/register', seedServer('s'))
    const port = Number(new URL(api.base).port)
    for (const host of ['a', 'ab', 'abc', 'a:80', 'localhost'])
      for (const path of [
        '/swagger/servers/',
        '/swagger/servers/s',
        '/health/../servers',
        '//servers',
        '/servers/',
      ])
        expect(
          await raw(port, `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`),
          `${host} ${path}`,
        ).not.toBe(200)
    // A key in the query string counts only for a real WebSocket upgrade of a WebSocket route.
    const fakeUpgrade = `DELETE /servers/s?token=${adminKey} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: close\r\n\r\n`
    expect(await raw(port, fakeUpgrade)).toBe(401)
    expect((await api.getJson('/servers/s')).id).toBe('s')
  })

  test('wrong keys from one address get 401s, then 429; a good key is not refused', async () => {
    api = await startApp()
    const statuses: number[] = []
    for (let i = 0; i < 35; i++) statuses.push((await withKey(`amcp_guess-${i}`, '/servers')).status)
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true)
    expect(statuses.at(-1)).toBe(429)
    expect((await withKey(adminKey, '/servers')).status).toBe(200) // a good key from there still works
  })
})
