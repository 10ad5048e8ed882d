import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { changesState } from '../src/modules/auth/access'
import { adminKey, json, startApp, type TestApp } from './helpers/app'
import { handshake, rawAnswer } from './helpers/raw-answer'
import { type FakeUpstream, fakeUpstream } from './helpers/upstream'

// Every route of the app, REST and WebSocket, under the other spellings of its path: the guard must take
// each decision (public or not, role, upgrade, Origin, body limit) on the route the router matches, so no
// spelling reaches a handler under a different decision than the plain path.

const allowed = 'http://allowed.example'
const foreign = 'http://evil.example'

/** Spellings the router reads as the plain path: they must get exactly the plain path's answer. */
const sameRoute = (path: string) => [
  `${path}/`,
  `${path}/.`,
  `/.${path}`,
  `/zz/..${path}`,
  `${path}?`, // an empty query
  `http://other.example${path}`, // absolute-form: the router reads the path, whatever the host
  ...(path.includes('/x') ? [path.replace('/x', '/%78')] : []),
]

/** Spellings that match no route: no handler may run, whoever asks. */
const noRoute = (path: string) => [
  `/${path}`,
  `${path}//`,
  ...(path.lastIndexOf('/') > 0 ? [path.replace(/\/([^/]*)$/, '//$1')] : []), // an empty segment inside
  path.replace(/^\/(.)/, (_, c: string) => `/%${c.charCodeAt(0).toString(16)}`),
  path.replace(/^\/(.)/, (_, c: string) => `/%${c.charCodeAt(0).toString(16).toUpperCase()}`),
  path.toUpperCase(),
  // An encoded slash after a parameter is part of its value (`/servers/x%2F` asks for server "x/").
  ...(path.endsWith('/x') ? [] : [`${path}%2F`]),
]

type Who = { name: string; key?: string; origin?: string; toolset?: boolean }

let upstream: FakeUpstream
let api: TestApp
let open: TestApp
let source = 0
beforeAll(async () => {
  upstream = fakeUpstream()
  const config = { upstreamUrl: upstream.url, rateLimit: 0, statusPage: 'public' as const }
  api = await startApp({ corsOrigins: [allowed], config })
  open = await startApp({ corsOrigins: [allowed], config, auth: 'off' })
})
afterAll(async () => {
  await Promise.all([api.stop(), open.stop()])
  upstream.stop()
})

async function answer(app: TestApp, method: string, target: string, who: Who, ws: boolean) {
  const headers: Record<string, string> = ws ? { ...handshake } : {}
  if (who.key) headers.authorization = `Bearer ${who.key}`
  if (who.origin) headers.origin = who.origin
  const body = method === 'POST' || method === 'PATCH' ? '{}' : undefined
  if (body) headers['content-type'] = 'application/json'
  // Each request from its own loopback address: missing keys would otherwise spend one address's budget.
  const from = `127.0.${1 + (source % 250)}.${1 + (++source % 250)}`
  const res = await rawAnswer(app.app.server?.port as number, { method, target, headers, body, from })
  return `${res.status} ${res.code ?? ''}`.trim()
}

/** What a path that matches no route must get: refused before any handler, as any unknown path is. */
function refusedUnrouted(method: string, who: Who, authOn: boolean) {
  if (who.origin === foreign && changesState(method)) return '403 origin_not_allowed'
  if (authOn && !who.key) return '401 unauthorized'
  if (authOn && who.toolset) return '403 toolset_only'
  return '404 route_not_found'
}

async function walk(app: TestApp, people: Who[], authOn: boolean) {
  const routes = app.app.routes.filter((r) => r.method !== 'OPTIONS')
  expect(routes.length).toBeGreaterThanOrEqual(20)
  const mismatches: string[] = []
  for (const route of routes) {
    const ws = route.method === 'WS'
    const method = ws ? 'GET' : route.method
    // The dashboard's page, `/`: each spelling above adds to a path (`//` is not `/`); checked on its own below.
    if (route.path === '/') continue
    const plain = route.path.replace(/:[^/]+/g, 'x')
    for (const who of people) {
      const expected = await answer(app, method, plain, who, ws)
      for (const target of sameRoute(plain)) {
        const got = await answer(app, method, target, who, ws)
        if (got !== expected) mismatches.push(`${who.name} ${method} ${target}: ${got}, plain ${expected}`)
      }
      for (const target of noRoute(plain)) {
        const got = await answer(app, method, target, who, ws)
        const want = refusedUnrouted(method, who, authOn)
        if (got !== want) mismatches.push(`${who.name} ${method} ${target}: ${got}, want ${want} (no route)`)
      }
    }
  }
  expect(mismatches).toEqual([])
}

describe('every route under every spelling of its path', () => {
  test('gets the plain path answer with no key, a read key, an admin key and from a foreign Origin', async () => {
    const { key: readKey } = api.services.keys.create('reader', 'read')
    // Limited to a toolset no walked path names (params are walked as `x`): refused on every route.
    await api.post('/toolsets', { name: 'ts' })
    const { key: toolsetKey } = api.services.keys.create('desktop', 'read', { toolset: 'ts' })
    await walk(
      api,
      [
        { name: 'anonymous' },
        { name: 'read', key: readKey },
        { name: 'admin', key: adminKey },
        { name: 'read from a foreign origin', key: readKey, origin: foreign },
        { name: 'admin from a foreign origin', key: adminKey, origin: foreign },
        { name: 'admin from an allowed origin', key: adminKey, origin: allowed },
        { name: 'limited to a toolset', key: toolsetKey, toolset: true },
      ],
      true,
    )
  }, 120_000)

  test('with auth off, a foreign Origin gets the plain path answer too', async () => {
    await walk(open, [{ name: 'anyone' }, { name: 'a foreign origin', origin: foreign }], false)
  }, 120_000)

  test('the plain answers are the ones the rules give', async () => {
    const { key: readKey } = api.services.keys.create('reader 2', 'read')
    const read = { name: 'read', key: readKey }
    const chat = (who: Who, target = '/chat') => answer(api, 'GET', target, who, true)
    expect(await chat(read)).toBe('403 forbidden')
    expect(await chat(read, '/chat/')).toBe('403 forbidden')
    expect(await chat(read, '/chat/.')).toBe('403 forbidden')
    expect(await chat({ name: 'admin', key: adminKey, origin: foreign }, '/events/')).toBe(
      '403 origin_not_allowed',
    )
    expect(await chat({ name: 'admin', key: adminKey })).toBe('101')
    expect(await answer(open, 'GET', '/chat/', { name: 'x', origin: foreign }, true)).toBe(
      '403 origin_not_allowed',
    )
    expect(await answer(open, 'GET', '/events/.', { name: 'x', origin: foreign }, true)).toBe(
      '403 origin_not_allowed',
    )
    expect(await answer(api, 'GET', '/health/', { name: 'anonymous' }, false)).toBe('200')
    // The dashboard's page is open to anyone; `//` reaches no handler, whoever asks.
    expect(await answer(api, 'GET', '/', { name: 'anonymous' }, false)).toBe('200')
    expect(await answer(api, 'GET', '/?', { name: 'anonymous' }, false)).toBe('200')
    expect(await answer(api, 'GET', '//', { name: 'anonymous' }, false)).toBe('404 route_not_found')
    expect(await answer(api, 'GET', '//', read, false)).toBe('404 route_not_found')
    expect(await answer(api, 'GET', '/servers/', read, false)).toBe('200')
    expect(await answer(api, 'POST', '/servers/register/', read, false)).toBe('403 forbidden')
    // The upstream was never asked for a chat by any of the above.
    expect(upstream.seen.filter((r) => r.path.endsWith('/chat/completions'))).toEqual([])
  })
})

test('every route declares its access where it is defined, and the OpenAPI document shows it', async () => {
  const declared = api.app.routes
    .filter((r) => r.method !== 'OPTIONS') // preflights are answered before any access decision
    .map((r) => [
      `${r.method} ${r.path}`,
      (r.hooks as { detail?: Record<string, string> }).detail?.['x-automcp-access'],
    ])
  const undeclared = declared.filter(([route, access]) => !access && route !== 'GET /openapi/json')
  expect(undeclared).toEqual([])
  expect(Object.fromEntries(declared)).toMatchObject({
    'GET /health': 'public',
    'GET /swagger': 'public',
    'WS /events': 'read',
    'WS /chat': 'admin',
    'POST /chat/models': 'read',
    'POST /v1/chat/completions': 'admin',
    'GET /metrics': 'read',
    'POST /servers/register': 'admin',
    'GET /servers/:id/tools': 'read',
    'POST /servers/:id/tools/:name/call': 'admin',
  })
  const doc = await json(await fetch(`${api.base}/openapi/json`))
  expect(doc.paths['/servers/{id}'].delete['x-automcp-access']).toBe('admin')
  expect(doc.paths['/servers/{id}'].get['x-automcp-access']).toBe('read')
  // The WebSockets, documented by hand, say it too.
  expect(doc.paths['/chat'].get['x-automcp-access']).toBe('admin')
  expect(doc.paths['/events'].get['x-automcp-access']).toBe('read')
})
