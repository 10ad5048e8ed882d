import { afterEach, expect, test } from 'bun:test'
import { adminKey, json, seedServer, startApp, type TestApp } from './helpers/app'
import { rawWebSocket } from './helpers/raw-ws'
import { fakeUpstream } from './helpers/upstream'
import { connectWs } from './helpers/ws'

let api: TestApp
afterEach(() => api?.stop())

test('REST requests over the per-key rate get 429 with Retry-After; other keys and /health go on', async () => {
  api = await startApp({ config: { rateLimit: 5 } })
  for (let i = 0; i < 5; i++) expect((await api.request('/servers')).status).toBe(200)
  const limited = await api.request('/servers')
  expect(limited.status).toBe(429)
  expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
  expect(await json(limited)).toEqual({ code: 'rate_limited', detail: expect.any(String) })
  const { key } = api.services.keys.create('other', 'read')
  expect((await fetch(`${api.base}/servers`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(
    200,
  )
  expect((await fetch(`${api.base}/health`)).status).toBe(200)
})

test('chat messages over the per-key rate get rate_limited; the socket stays open', async () => {
  const upstream = fakeUpstream()
  api = await startApp({ config: { upstreamUrl: upstream.url, chatRateLimit: 2 } })
  const client = await connectWs(api.ws('/chat'))
  const hello = [{ role: 'user', content: 'hi' }]
  for (const id of ['a', 'b']) {
    client.send({ id, model: 'any', messages: hello })
    expect((await client.next((m) => m.id === id)).type).toBe('response')
  }
  client.send({ id: 'c', model: 'any', messages: hello })
  const error = await client.next((m) => m.id === 'c')
  expect(error).toMatchObject({
    type: 'error',
    error: { code: 'rate_limited', retry_after_s: expect.any(Number) },
  })
  client.send({ type: 'ping' })
  expect(await client.next((m) => m.type === 'pong')).toBeDefined()
  expect(upstream.seen).toHaveLength(2)
  client.close()
  upstream.stop()
})

test('each key has its own chat rate: a key at its limit does not stop another, on /chat or /v1', async () => {
  const upstream = fakeUpstream()
  // One chat a minute: a refill would take a stall of a minute between two lines.
  api = await startApp({ config: { upstreamUrl: upstream.url, chatRateLimit: 1 } })
  const keyOf = (name: string) => api.services.keys.create(name, 'admin').key
  const chatAs = (key: string) => connectWs(`${api.base.replace('http', 'ws')}/chat?token=${key}`)
  const other = keyOf('other')
  const hello = [{ role: 'user', content: 'hi' }]
  const v1 = (key: string) =>
    fetch(`${api.base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'any', messages: hello }),
    })
  const first = await chatAs(adminKey)
  first.send({ id: 'a', model: 'any', messages: hello })
  expect((await first.next((m) => m.id === 'a')).type).toBe('response')
  first.send({ id: 'b', model: 'any', messages: hello })
  expect(await first.next((m) => m.id === 'b')).toMatchObject({ error: { code: 'rate_limited' } })
  expect((await v1(adminKey)).status).toBe(429)

  const second = await chatAs(other)
  expect((await v1(other)).status).toBe(200)
  // One bucket per key, whichever way it chats.
  second.send({ id: 'c', model: 'any', messages: hello })
  expect(await second.next((m) => m.id === 'c')).toMatchObject({ error: { code: 'rate_limited' } })
  const third = await chatAs(keyOf('third'))
  third.send({ id: 'd', model: 'any', messages: hello })
  expect((await third.next((m) => m.id === 'd')).type).toBe('response')
  expect(upstream.seen).toHaveLength(3)
  for (const socket of [first, second, third]) socket.close()
  upstream.stop()
})

test('registrations beyond AUTOMCP_MAX_SERVERS get 409; replacing one and registering after a delete work', async () => {
  api = await startApp({ config: { maxServers: 2 } })
  expect((await api.post('/servers/register', seedServer('a'))).status).toBe(201)
  expect((await api.post('/servers/register', seedServer('b'))).status).toBe(201)
  const full = await api.post('/servers/register', seedServer('c'))
  expect(full.status).toBe(409)
  expect((await json(full)).code).toBe('server_limit_reached')
  expect((await api.post('/servers/register', seedServer('a'))).status).toBe(200)
  await api.request('/servers/b', { method: 'DELETE' })
  expect((await api.post('/servers/register', seedServer('c'))).status).toBe(201)
})

test('an /events client that stops reading is disconnected at the backpressure limit, not buffered for', async () => {
  api = await startApp()
  const slow = await rawWebSocket(api.ws('/events'))
  slow.pause()
  await Bun.sleep(100)
  expect(api.services.sockets.count('/events')).toBe(1)
  const big = 'x'.repeat(64 * 1024)
  for (let i = 0; i < 400; i++) api.services.hub.publish('server_update', { id: 'big', filler: big })
  await Bun.sleep(200)
  expect(api.services.sockets.count('/events')).toBe(0) // the server closed it
  slow.resume()
  await slow.closed
  // Everyone else is unaffected.
  const fresh = await connectWs(api.ws('/events'))
  expect((await fresh.next((m) => m.type === 'snapshot')).type).toBe('snapshot')
  fresh.close()
})

test('body limits hold for streamed bodies too: 64 KB on most routes, 4 MB on /v1/chat/completions', async () => {
  const upstream = fakeUpstream()
  api = await startApp({ config: { upstreamUrl: upstream.url } })
  const post = async (path: string, size: number, chunked: boolean) => {
    const body = JSON.stringify({
      model: 'any',
      messages: [{ role: 'user', content: 'x'.repeat(size) }],
      tools: 'none',
    })
    const res = await api.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // A stream has no Content-Length: the body must be measured as it is read.
      body: chunked ? new Blob([body]).stream() : body,
    })
    return { status: res.status, body: await json(res) }
  }
  for (const chunked of [false, true]) {
    expect(await post('/servers/register', 100_000, chunked)).toMatchObject({
      status: 413,
      body: { code: 'payload_too_large', detail: 'Request body is larger than 65536 bytes' },
    })
    expect((await post('/v1/chat/completions', 2_000_000, chunked)).status).toBe(200)
    const tooBig = await post('/v1/chat/completions', 5_000_000, chunked)
    expect(tooBig).toMatchObject({ status: 413, body: { code: 'payload_too_large' } })
    expect(tooBig.body.error).toMatchObject({ code: 'payload_too_large' }) // as OpenAI SDKs read it
  }
  upstream.stop()
}, 20_000)
