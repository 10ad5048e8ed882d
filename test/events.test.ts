import { afterEach, beforeEach, expect, test } from 'bun:test'
import { adminKey, seedServer, startApp, type TestApp } from './helpers/app'
import { healthServer } from './helpers/peers'
import { rawHandshake } from './helpers/raw-http'
import { connectWs } from './helpers/ws'

let api: TestApp
let plain: ReturnType<typeof healthServer>
beforeEach(async () => {
  api = await startApp()
  plain = healthServer()
})
afterEach(async () => {
  plain.stop()
  await api.stop()
})

const wsUrl = (query = '') => api.ws(`/events${query}`)

test('snapshot on connect, then registered, update (with changed) and removed events in order', async () => {
  await api.post('/servers/register', seedServer('existing'))
  const client = await connectWs(wsUrl())
  const snapshot = await client.next((m) => m.type === 'snapshot')
  expect(snapshot.data.map((s: { id: string }) => s.id)).toEqual(['existing'])
  expect(snapshot.seq).toBeNumber()

  await api.post('/servers/register', { id: 'p', name: 'P', url: plain.url, transport: 'http' })
  const registered = await client.next((m) => m.type === 'server_registered')
  expect(registered.data).toMatchObject({ id: 'p', status: 'unknown' })
  expect(registered.data.headers).toBeUndefined()
  expect(registered.seq).toBeGreaterThan(snapshot.seq)

  await api.request('/servers/p/test', { method: 'POST' })
  const update = await client.next((m) => m.type === 'server_update' && m.data.id === 'p')
  expect(update).toMatchObject({ changed: true, data: { status: 'healthy' } })
  expect(update.seq).toBe(registered.seq + 1)

  await api.request('/servers/p/test', { method: 'POST' })
  expect(await client.next((m) => m.type === 'server_update')).toMatchObject({ changed: false })

  await api.request('/servers/p', { method: 'DELETE' })
  expect(await client.next((m) => m.type === 'server_removed')).toMatchObject({ data: { id: 'p' } })
  client.close()
})

test('?since= replays what was missed; an unknown or too old seq gets a fresh snapshot', async () => {
  const first = await connectWs(wsUrl())
  const { seq } = await first.next((m) => m.type === 'snapshot')
  first.close()
  await api.post('/servers/register', { id: 'a', name: 'A', url: plain.url, transport: 'http' })
  await api.post('/servers/register', { id: 'b', name: 'B', url: plain.url, transport: 'http' })

  const resumed = await connectWs(wsUrl(`?since=${seq}`))
  const a = await resumed.next((m) => m.type === 'server_registered')
  const b = await resumed.next((m) => m.type === 'server_registered')
  expect([a.data.id, b.data.id]).toEqual(['a', 'b'])
  await Bun.sleep(50)
  expect(resumed.messages.some((m) => m.type === 'snapshot')).toBe(false)
  resumed.close()

  for (const since of [1, seq + 1_000_000]) {
    const stale = await connectWs(wsUrl(`?since=${since}`))
    const snap = await stale.next((m) => m.type === 'snapshot')
    expect(snap.data.map((s: { id: string }) => s.id)).toEqual(['a', 'b'])
    stale.close()
  }
})

test('?since= takes plain decimal digits only (#12)', async () => {
  const port = Number(new URL(api.base).port)
  const handshake = (query: string) =>
    rawHandshake(port, `/events${query}`, {
      upgrade: 'websocket',
      connection: 'Upgrade',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      'sec-websocket-version': '13',
      authorization: `Bearer ${adminKey}`,
    })
  for (const since of ['0x10', '1e3', '%2012', '-1', '1.5']) {
    const res = await handshake(`?since=${since}`)
    expect({ since, status: res.status }).toEqual({ since, status: 422 })
    expect(JSON.parse(new TextDecoder().decode(res.body)).detail).toStartWith('query field "since" must')
  }
  expect((await handshake('?since=12')).status).toBe(101)
})

test('?since= at the boundaries: nothing after the last seq; all 1,000 buffered events; one older, a snapshot', async () => {
  const buffered = 1_000 // createEventHub's bufferSize
  await api.stop()
  api = await startApp({ config: { rateLimit: 0 } })
  await api.post('/servers/register', { id: 'p', name: 'P', url: plain.url, transport: 'http' })
  const watcher = await connectWs(wsUrl())
  await watcher.next((m) => m.type === 'snapshot')
  // More events than are buffered: the first ones are no longer there to replay.
  const updates = buffered + 5
  const statuses = new Set<number>()
  for (let i = 1; i <= updates; i++) statuses.add((await api.patch('/servers/p', { name: `P${i}` })).status)
  expect([...statuses]).toEqual([200])
  const last = (await watcher.next((m) => m.type === 'server_update' && m.data.name === `P${updates}`)).seq
  watcher.close()
  const oldest = last - buffered + 1

  /** What a client resuming at `since` is sent on connect: all of it comes before the answer to a ping. */
  const resume = async (since: number) => {
    const client = await connectWs(wsUrl(`?since=${since}`))
    client.send({ type: 'ping' })
    await client.next((m) => m.type === 'pong')
    client.close()
    return client.messages
  }
  expect(await resume(last)).toEqual([])
  expect((await resume(last - 1)).map((m) => [m.seq, m.data.name])).toEqual([[last, `P${updates}`]])
  const all = await resume(oldest - 1)
  expect(all.map((m) => m.seq)).toEqual(Array.from({ length: buffered }, (_, i) => oldest + i))
  expect(all.map((m) => m.data.name)).toEqual(
    Array.from({ length: buffered }, (_, i) => `P${updates - buffered + 1 + i}`),
  )
  const stale = await resume(oldest - 2)
  expect(stale.map((m) => [m.type, m.seq])).toEqual([['snapshot', last]])
  expect(stale[0].data).toMatchObject([{ id: 'p', name: `P${updates}` }])
}, 30_000)

test('ping gets pong; anything else gets a typed error and the socket stays open', async () => {
  const client = await connectWs(wsUrl())
  await client.next((m) => m.type === 'snapshot')
  client.send('not json at all')
  expect(await client.next((m) => m.type === 'error')).toMatchObject({ error: { code: 'unknown_message' } })
  client.send({ type: 'ping' })
  expect(await client.next((m) => m.type === 'pong')).toEqual({ type: 'pong' })
  expect(client.ws.readyState).toBe(WebSocket.OPEN)
  client.close()
})

test('many clients all receive an event', async () => {
  const clients = await Promise.all(Array.from({ length: 50 }, () => connectWs(wsUrl())))
  await Promise.all(clients.map((c) => c.next((m) => m.type === 'snapshot')))
  await api.post('/servers/register', { id: 'x', name: 'X', url: plain.url })
  const got = await Promise.all(clients.map((c) => c.next((m) => m.type === 'server_registered')))
  expect(got.every((m) => m.data.id === 'x')).toBe(true)
  for (const c of clients) c.close()
})

test('a handshake Bun cannot upgrade is refused as JSON, on /events and /chat alike', async () => {
  const port = Number(new URL(api.base).port)
  const upgrade = { upgrade: 'websocket', connection: 'Upgrade', authorization: `Bearer ${adminKey}` }
  const key = 'dGhlIHNhbXBsZSBub25jZQ=='
  for (const route of ['/events', '/chat']) {
    const cases = [
      [{ 'sec-websocket-version': '13' }, 400, 'websocket_handshake'],
      [{ 'sec-websocket-key': 'short', 'sec-websocket-version': '13' }, 400, 'websocket_handshake'],
      [{ 'sec-websocket-key': key, 'sec-websocket-version': '8' }, 426, 'websocket_version'],
    ] as const
    for (const [headers, status, code] of cases) {
      const res = await rawHandshake(port, route, { ...upgrade, ...headers })
      expect({ route, status: res.status, body: JSON.parse(res.body.toString()) }).toMatchObject({
        route,
        status,
        body: { code, detail: expect.any(String) },
      })
      if (status === 426) expect(res.headers.get('sec-websocket-version')).toBe('13')
    }
    const ok = await rawHandshake(port, route, {
      ...upgrade,
      'sec-websocket-key': key,
      'sec-websocket-version': '13',
    })
    expect(ok.status).toBe(101)
  }
})
