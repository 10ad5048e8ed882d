import { afterEach, expect, test } from 'bun:test'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { eq } from 'drizzle-orm'
import { servers } from '../src/db/schema'
import { adminKey, freshDb, json, startApp, type TestApp } from './helpers/app'
import { type OAuthServer, oauthServer } from './helpers/oauth-server'
import { startServer, tempDir } from './helpers/process'
import { waitFor } from './helpers/wait'
import { connectWs } from './helpers/ws'

// OAuth 2.1 to MCP servers (#15) beyond the conformance suite: refresh, revocation, step-up, the callback's
// refusals, concurrency, restarts and secrecy, against a scripted authorization server and resource server
// (test/helpers/oauth-server.ts) driven through AutoMCP's API as a user would.

/** The API the helpers below drive: the in-process app, or a real process (restarts). */
type Api = Pick<TestApp, 'base' | 'request' | 'post' | 'getJson'>

let app: TestApp | undefined
let api: Api
let cleanups: (() => unknown)[] = []
afterEach(async () => {
  await app?.stop()
  app = undefined
  for (const cleanup of cleanups) await cleanup()
  cleanups = []
})

async function start(
  options: Parameters<typeof oauthServer>[0] = {},
  appOptions: Parameters<typeof startApp>[0] = {},
) {
  const as = await oauthServer(options)
  cleanups.push(as.stop)
  app = await startApp({ monitor: true, ...appOptions })
  api = app
  return as
}

/** The API of an AutoMCP process at `base`, with the admin key. */
function remote(base: string): Api {
  const request = (path: string, init: RequestInit = {}) =>
    fetch(base + path, {
      ...init,
      headers: { authorization: `Bearer ${adminKey}`, ...(init.headers as object) },
    })
  return {
    base,
    request,
    post: (path, body) =>
      request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    getJson: async (path) => json(await request(path)),
  }
}

/** Registers the scripted server; checks come from registration, the callback and `/test` only. */
async function register(id: string, as: OAuthServer, oauth: Record<string, unknown> = {}) {
  const res = await api.post('/servers/register', {
    id,
    name: id,
    url: as.url,
    transport: 'streamable-http',
    interval_s: 3_600,
    failure_threshold: 1,
    success_threshold: 1,
    oauth,
  })
  expect(res.status).toBe(201)
}

const server = (id: string) => api.getJson(`/servers/${id}`)
const check = (id: string) => api.request(`/servers/${id}/test`, { method: 'POST' }).then(json)
const call = (id: string, tool: string) => api.post(`/servers/${id}/tools/${tool}/call`, { arguments: {} })

/** `POST /authorize`: the authorization URL to open. */
async function authorizationUrl(id: string): Promise<string> {
  const res = await api.request(`/servers/${id}/authorize`, { method: 'POST' })
  const body = await json(res)
  expect(res.status).toBe(200)
  expect(body.expires_in).toBe(600)
  return body.authorization_url
}

// What a browser asks for: the callback answers it a page (others get JSON).
const html = { accept: 'text/html,application/xhtml+xml' }

/** The user's browser: follows the authorization server's redirects to AutoMCP's callback page. */
async function browse(start: string): Promise<{ status: number; page: string; url: string }> {
  let url = start
  for (let hop = 0; hop < 5; hop++) {
    const res = await fetch(url, { redirect: 'manual', headers: html })
    const location = res.headers.get('location')
    if (res.status < 300 || res.status >= 400 || !location)
      return { status: res.status, page: await res.text(), url }
    url = new URL(location, url).href
  }
  throw new Error('too many redirects')
}

/** Registers, sees the first check refused, authorizes in the "browser", and waits for healthy. */
async function connect(id: string, as: OAuthServer, oauth: Record<string, unknown> = {}) {
  await register(id, as, oauth)
  await waitFor(async () => (await server(id)).status_reason === 'auth_required', 10_000)
  const url = await authorizationUrl(id)
  const { status, page } = await browse(url)
  expect(status).toBe(200)
  expect(page).toContain('connected')
  await waitFor(async () => (await server(id)).status === 'healthy', 10_000)
  return [url, page]
}

test('the whole flow through the API: refused, authorized in a browser, healthy, a tool called with the token', async () => {
  const as = await start()
  await register('a', as)
  await waitFor(async () => (await server('a')).status_reason === 'auth_required', 10_000)
  const before = await server('a')
  expect(before).toMatchObject({ status: 'degraded', status_reason: 'auth_required' })
  expect(before.auth).toMatchObject({ type: 'oauth', state: 'unauthorized', grant: 'authorization_code' })

  const { status, page, url } = await browse(await authorizationUrl('a'))
  expect(url).toStartWith(`${api.base.replace('127.0.0.1', 'localhost')}/oauth/callback?`)
  expect(status).toBe(200)
  expect(page).toContain('a is connected')
  // Discovery led to the scripted server: a registration, and an authorization request with PKCE, the
  // challenge's scope plus offline_access (the server lists it), and the resource.
  expect(as.seen.registrations).toHaveLength(1)
  const asked = as.seen.authorizations[0]
  expect(asked?.get('scope')).toBe('mcp:basic offline_access')
  expect(asked?.get('resource')).toBe(as.url)
  expect(asked?.get('code_challenge_method')).toBe('S256')

  await waitFor(async () => (await server('a')).status === 'healthy', 10_000)
  const after = await server('a')
  expect(after.auth).toMatchObject({
    state: 'authorized',
    scopes: ['mcp:basic', 'offline_access'],
    error: null,
  })
  expect(after.auth.expires_at).toBeGreaterThan(Date.now() / 1000 + 3_000)

  const res = await call('a', 'read')
  expect(res.status).toBe(200)
  expect(await json(res)).toMatchObject({ ok: true, content: [{ type: 'text', text: 'read done' }] })
  expect(as.seen.bearers.at(-1)).toBe(as.issued[0]?.access_token as string)
}, 30_000)

/** The sealed tokens column of a server, as stored. */
const storedTokens = (id: string) =>
  app?.db.select({ t: servers.oauthTokens }).from(servers).where(eq(servers.id, id)).get()?.t ?? null
const grants = (as: OAuthServer, grant: string) => as.seen.tokens.filter((t) => t.grant === grant)

test('a token about to run out is refreshed before it is sent, the rotated refresh token kept: no new authorization', async () => {
  // 61 s tokens: a second after one is issued it is within the 60 s AutoMCP renews ahead of.
  const as = await start({ expiresIn: 61 })
  await connect('r', as)
  const first = await server('r')
  const sealed = storedTokens('r')
  expect(grants(as, 'refresh_token')).toHaveLength(0)

  // Two refreshes in a row: the second can only work with the refresh token the first one rotated in.
  await waitFor(async () => {
    await check('r')
    return grants(as, 'refresh_token').length >= 2
  }, 15_000)
  await waitFor(async () => (await server('r')).auth.expires_at > first.auth.expires_at, 5_000)
  const after = await server('r')
  expect(after).toMatchObject({ status: 'healthy', auth: { state: 'authorized', error: null } })
  expect(storedTokens('r')).not.toBe(sealed)
  expect(as.seen.bearers).toContain(as.issued[2]?.access_token as string)

  const res = await call('r', 'read')
  expect(res.status).toBe(200)
  expect(as.issued.slice(1).map((t) => t.access_token)).toContain(as.seen.bearers.at(-1) as string)
  expect(as.seen.authorizations).toHaveLength(1)
}, 30_000)

test('a refresh under way when a new authorization comes back does not undo it', async () => {
  // 59 s tokens are always within the 60 s AutoMCP renews ahead of: every request refreshes first.
  const as = await start({ expiresIn: 59 })
  await connect('race', as)
  // The next check refreshes; the authorization server holds that refresh.
  const gate = Promise.withResolvers<void>()
  as.settings.refreshGate = gate.promise
  const checking = check('race')
  await waitFor(() => as.seen.gated === 1, 10_000)
  // Meanwhile the user authorizes again (long-lived tokens this time), and only then the refresh ends.
  as.settings.expiresIn = 3_600
  const { status } = await browse(await authorizationUrl('race'))
  expect(status).toBe(200)
  const fromCallback = as.issued.at(-1)?.access_token as string
  as.settings.refreshGate = undefined
  gate.resolve()
  await checking
  // The tokens the callback stored are the ones used, not those the late refresh brought back.
  expect((await call('race', 'read')).status).toBe(200)
  expect(as.seen.bearers.at(-1)).toBe(fromCallback)
  expect((await server('race')).auth).toMatchObject({ state: 'authorized', error: null })
}, 30_000)

test('requests refused at once share one refresh: the rotated refresh token is never used twice', async () => {
  const as = await start()
  await connect('many', as)
  for (let round = 0; round < 3; round++) {
    as.invalidate('access')
    const answers = await Promise.all(Array.from({ length: 8 }, () => call('many', 'read')))
    expect(answers.map((r) => r.status)).toEqual(Array(8).fill(200))
  }
  expect(grants(as, 'refresh_token')).toHaveLength(3)
  expect((await server('many')).auth).toMatchObject({ state: 'authorized', error: null })
}, 30_000)

test('a 401 that comes back after another request refreshed uses the new token, not the spent refresh token', async () => {
  const as = await start({ tools: { read: ['mcp:basic'], slow: ['mcp:basic'] }, late: ['slow'] })
  await connect('crossed', as)
  as.invalidate('access')
  // `slow` leaves with the old token; its 401 is held until `read`'s 401 has been refreshed.
  const slow = call('crossed', 'slow')
  await waitFor(() => as.seen.held === 1)
  const read = await call('crossed', 'read')
  expect(read.status).toBe(200)
  expect((await slow).status).toBe(200)
  expect(grants(as, 'refresh_token')).toHaveLength(1)
  expect((await server('crossed')).auth).toMatchObject({ state: 'authorized', error: null })
}, 30_000)

test('a refresh the authorization server refuses: expired, auth_required, and a new authorization mends it', async () => {
  const as = await start()
  await connect('x', as)
  as.invalidate()

  await check('x')
  await waitFor(async () => (await server('x')).auth.state === 'expired', 5_000)
  const s = await server('x')
  expect(s).toMatchObject({ status: 'degraded', status_reason: 'auth_required' })
  expect(s.auth.error).toContain('refresh refused')
  expect(s.auth.expires_at).toBeNull()
  expect(storedTokens('x')).toBeNull()
  // The refused refresh token is not tried again on every check.
  await check('x')
  expect(grants(as, 'refresh_token')).toHaveLength(1)

  expect((await browse(await authorizationUrl('x'))).status).toBe(200)
  await waitFor(async () => (await server('x')).status === 'healthy', 10_000)
  expect((await server('x')).auth).toMatchObject({ state: 'authorized', error: null })
}, 30_000)

test('an access token refused with no refresh token to renew it: unauthorized again, not authorized', async () => {
  const as = await start({ offline: false })
  await connect('n', as)
  expect(as.issued[0]?.refresh_token).toBeUndefined()
  as.invalidate()

  await check('n')
  await waitFor(async () => (await server('n')).auth.state !== 'authorized', 5_000)
  expect(await server('n')).toMatchObject({
    status: 'degraded',
    status_reason: 'auth_required',
    auth: { state: 'unauthorized' },
  })
  expect(grants(as, 'refresh_token')).toHaveLength(0)
  expect((await browse(await authorizationUrl('n'))).status).toBe(200)
  await waitFor(async () => (await server('n')).status === 'healthy', 10_000)
}, 30_000)

test('step-up: a tool needing mcp:write makes the server unauthorized; authorizing again asks for both scopes', async () => {
  const as = await start({ tools: { read: ['mcp:basic'], write: ['mcp:basic', 'mcp:write'] } })
  await connect('s', as)
  expect((await call('s', 'read')).status).toBe(200)

  expect((await call('s', 'write')).status).not.toBe(200)
  await waitFor(async () => (await server('s')).auth.state === 'unauthorized', 5_000)
  expect((await server('s')).auth.error).toContain('mcp:write')

  expect((await browse(await authorizationUrl('s'))).status).toBe(200)
  const asked = as.seen.authorizations[1]?.get('scope')?.split(' ')
  expect(asked).toEqual(expect.arrayContaining(['mcp:basic', 'mcp:write']))
  await waitFor(async () => (await server('s')).auth.state === 'authorized', 10_000)
  expect((await server('s')).auth.scopes).toEqual(expect.arrayContaining(['mcp:basic', 'mcp:write']))
  const res = await call('s', 'write')
  expect(res.status).toBe(200)
  expect(await json(res)).toMatchObject({ ok: true, content: [{ text: 'write done' }] })
}, 30_000)

test('step-up once: a server that keeps refusing scopes already granted ends in error, not in a loop', async () => {
  const as = await start({ tools: { admin: ['mcp:admin'] }, stubborn: ['admin'] })
  await connect('st', as)
  // What a user (or the conformance adapter) does: authorize again while the server says unauthorized.
  for (let round = 0; round < 5; round++) {
    expect((await call('st', 'admin')).status).not.toBe(200)
    await waitFor(async () => (await server('st')).auth.state !== 'authorized', 5_000)
    if ((await server('st')).auth.state === 'error') break
    expect((await browse(await authorizationUrl('st'))).status).toBe(200)
    await waitFor(async () => (await server('st')).auth.state === 'authorized', 10_000)
  }
  const s = await server('st')
  expect(s.auth.state).toBe('error')
  expect(s.auth.error).toContain('already granted')
  expect(as.seen.authorizations).toHaveLength(2)
  expect(as.seen.authorizations[1]?.get('scope')?.split(' ')).toContain('mcp:admin')
}, 30_000)

test('the callback: a state it did not make is refused and stores nothing; a state is used once; a denial is an error', async () => {
  const as = await start()
  await register('c', as)
  await waitFor(async () => (await server('c')).status_reason === 'auth_required', 10_000)
  await authorizationUrl('c')

  const forged = await fetch(`${api.base}/oauth/callback?state=not-made-here&code=stolen`, { headers: html })
  expect(forged.status).toBe(400)
  expect(await forged.text()).toContain('not valid')
  expect(as.seen.tokens).toHaveLength(0)
  expect(storedTokens('c')).toBeNull()
  expect((await server('c')).auth.state).toBe('unauthorized')

  as.settings.deny = true
  const denied = await browse(await authorizationUrl('c'))
  expect(denied.status).toBe(400)
  expect(denied.page).toContain('access_denied')
  await waitFor(async () => (await server('c')).auth.state === 'error', 5_000)
  expect((await server('c')).auth.error).toContain('access_denied')
  expect(as.seen.tokens).toHaveLength(0)

  as.settings.deny = false
  const done = await browse(await authorizationUrl('c'))
  expect(done.status).toBe(200)
  await waitFor(async () => (await server('c')).auth.state === 'authorized', 10_000)
  const sealed = storedTokens('c')
  const again = await fetch(done.url, { headers: html })
  expect(again.status).toBe(400)
  expect(as.seen.tokens).toHaveLength(1)
  expect(storedTokens('c')).toBe(sealed)
  expect((await server('c')).auth.state).toBe('authorized')
}, 30_000)

test('two servers authorizing at once each end authorized with their own tokens', async () => {
  const one = await start()
  const two = await oauthServer()
  cleanups.push(two.stop)
  await Promise.all([register('one', one), register('two', two)])
  await waitFor(async () => (await server('one')).status_reason === 'auth_required', 10_000)
  await waitFor(async () => (await server('two')).status_reason === 'auth_required', 10_000)

  // Both begun before either comes back, and they come back in the other order.
  const [u1, u2] = await Promise.all([authorizationUrl('one'), authorizationUrl('two')])
  const [b2, b1] = await Promise.all([browse(u2), browse(u1)])
  expect([b1.status, b2.status]).toEqual([200, 200])
  for (const id of ['one', 'two']) await waitFor(async () => (await server(id)).status === 'healthy', 10_000)
  for (const [id, as] of [
    ['one', one],
    ['two', two],
  ] as const) {
    expect((await server(id)).auth.state).toBe('authorized')
    expect((await call(id, 'read')).status).toBe(200)
    expect(as.seen.bearers.at(-1)).toBe(as.issued[0]?.access_token as string)
    expect(as.issued).toHaveLength(1)
  }
}, 30_000)

test('tokens survive a kill -9 and a restart, refreshed ones too: healthy again without a new authorization', async () => {
  // 61 s tokens: each run refreshes with the refresh token the run before rotated in and stored.
  const as = await oauthServer({ expiresIn: 61 })
  cleanups.push(as.stop)
  const db = join(tempDir('automcp-oauth-'), 'a.db')
  let proc = await startServer(['--db', db])
  cleanups.push(() => proc.proc.kill('SIGKILL'))
  api = remote(proc.base)
  const refreshed = async () => {
    const before = grants(as, 'refresh_token').length
    await waitFor(async () => {
      await check('k')
      return grants(as, 'refresh_token').length > before
    }, 15_000)
  }
  // The newest tokens the authorization server issued are the stored ones (AutoMCP's expiry is later).
  const stored = () =>
    waitFor(async () => (await server('k')).auth.expires_at * 1000 >= (as.issued.at(-1)?.expiresAt ?? 0))
  await connect('k', as)
  await refreshed()
  await stored()

  proc.proc.kill('SIGKILL')
  await proc.proc.exited
  proc = await startServer(['--db', db])
  api = remote(proc.base)
  await refreshed()
  expect(await check('k')).toMatchObject({ success: true, status: 'healthy' })
  expect((await server('k')).auth).toMatchObject({ state: 'authorized', error: null })
  await stored()

  proc.proc.kill('SIGTERM')
  await proc.proc.exited
  proc = await startServer(['--db', db])
  api = remote(proc.base)
  await refreshed()
  expect((await call('k', 'read')).status).toBe(200)
  expect(as.seen.authorizations).toHaveLength(1)
  expect(as.seen.registrations).toHaveLength(1)
}, 60_000)

test('no token or client secret in any response, event, log line, or in the database file in clear', async () => {
  const secret = `pre-secret-${crypto.randomUUID()}`
  const path = join(tempDir('automcp-oauth-'), 'a.db')
  const as = await start(
    { expiresIn: 61, clients: [{ client_id: 'pre-client', client_secret: secret }] },
    { db: freshDb(path) },
  )
  const events = await connectWs(app?.ws('/events') as string)
  cleanups.push(events.close)
  const pages = await connect('secretive', as, { client_id: 'pre-client', client_secret: secret })
  // A refresh too, so a rotated refresh token is among the secrets.
  await waitFor(async () => {
    await check('secretive')
    return grants(as, 'refresh_token').length >= 1
  }, 15_000)
  await waitFor(async () => as.issued.length === 2 && (await server('secretive')).auth.state === 'authorized')
  // The pre-registered secret was used (client_secret_basic): the AS saw no registration.
  expect(as.seen.registrations).toHaveLength(0)
  expect(as.seen.tokens.every((t) => t.auth === 'basic')).toBe(true)

  const secrets = [secret, ...as.issued.flatMap((t) => [t.access_token, t.refresh_token as string])]
  expect(secrets).toHaveLength(5)
  const seen: Record<string, string> = {
    list: JSON.stringify(await api.getJson('/servers')),
    server: JSON.stringify(await server('secretive')),
    history: JSON.stringify(await api.getJson('/servers/secretive/history')),
    tools: JSON.stringify(await api.getJson('/servers/secretive/tools')),
    test: JSON.stringify(await check('secretive')),
    'authorize and callback': pages.join('\n'),
    logs: (app as TestApp).logs.map((l) => JSON.stringify(l)).join('\n'),
    events: events.messages.map((m) => JSON.stringify(m)).join('\n'),
  }
  ;(app as TestApp).db.$client.exec('PRAGMA wal_checkpoint(PASSIVE)')
  for (const file of [path, `${path}-wal`].filter(existsSync))
    seen[file] = readFileSync(file).toString('latin1')
  // What is searched holds what it should (so an empty haystack cannot pass).
  expect(seen.logs).toContain('oauth authorized')
  expect(seen.events).toContain('secretive')
  expect(seen[path]).toContain('secretive')
  const leaks = secrets.flatMap((s, i) =>
    Object.entries(seen)
      .filter(([, text]) => text.includes(s))
      .map(([where]) => `secret ${i} in ${where}`),
  )
  expect(leaks).toEqual([])
}, 30_000)

test('deleting a server revokes its tokens at the authorization server (RFC 7009)', async () => {
  const as = await start()
  await connect('del', as)
  const { access_token, refresh_token } = as.issued[0] ?? { access_token: '' }
  expect((await api.request('/servers/del', { method: 'DELETE' })).status).toBe(204)
  await waitFor(
    () => as.seen.revoked.includes(access_token) && as.seen.revoked.includes(refresh_token as string),
  )
  expect(as.seen.revoked).toHaveLength(2)
})

test('client credentials with client_secret_basic: healthy without any browser, and nothing to authorize', async () => {
  const as = await start({ clients: [{ client_id: 'machine', client_secret: 'machine-secret' }] })
  await register('cc', as, {
    grant: 'client_credentials',
    client_id: 'machine',
    client_secret: 'machine-secret',
  })
  await waitFor(async () => (await server('cc')).status === 'healthy', 10_000)
  expect((await server('cc')).auth).toMatchObject({
    state: 'authorized',
    grant: 'client_credentials',
    error: null,
  })
  expect(as.seen.authorizations).toHaveLength(0)
  expect(as.seen.registrations).toHaveLength(0)
  expect(as.seen.tokens).toEqual([{ grant: 'client_credentials', auth: 'basic', scope: expect.any(String) }])
  expect((await call('cc', 'read')).status).toBe(200)

  const res = await api.request('/servers/cc/authorize', { method: 'POST' })
  expect(res.status).toBe(409)
  expect((await json(res)).code).toBe('oauth_not_interactive')
}, 30_000)

test('a direct call to a server that refuses the credentials is 409 auth_required, pointing at /authorize', async () => {
  const as = await start()
  await register('refusing', as)
  await waitFor(async () => (await server('refusing')).status_reason === 'auth_required', 10_000)
  const res = await call('refusing', 'read')
  expect(res.status).toBe(409)
  const body = await json(res)
  expect(body.code).toBe('auth_required')
  expect(body.detail).toContain('POST /servers/{id}/authorize')
}, 30_000)

test('RFC 9207: a callback whose iss names another authorization server is refused', async () => {
  const as = await start()
  await register('mixup', as)
  await waitFor(async () => (await server('mixup')).status_reason === 'auth_required', 10_000)
  // The authorization server answers with its own iss; an attacker's answer would carry another.
  const answer = await fetch(await authorizationUrl('mixup'), { redirect: 'manual' })
  const back = new URL(answer.headers.get('location') as string)
  expect(back.searchParams.get('iss')).toBe(as.base)
  back.searchParams.set('iss', 'https://evil.example')
  const refused = await fetch(back, { headers: html })
  expect(refused.status).toBe(400)
  expect(await refused.text()).toContain('another authorization server')
  expect((await server('mixup')).auth).toMatchObject({ state: 'error' })
  expect(as.seen.tokens.filter((t) => t.grant === 'authorization_code')).toHaveLength(0)
}, 30_000)
