import { afterEach, expect, test } from 'bun:test'
import { startApp, type TestApp } from './helpers/app'
import { healthServer } from './helpers/peers'
import { parse, value } from './helpers/prometheus'
import { fakeUpstream } from './helpers/upstream'
import { connectWs } from './helpers/ws'

let api: TestApp
afterEach(() => api?.stop())

const scrape = async () => {
  const res = await api.request('/metrics')
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toStartWith('text/plain; version=0.0.4')
  return parse(await res.text())
}

test('the scrape parses, and requests, checks, servers and sockets move it', async () => {
  api = await startApp({ monitor: true })
  const plain = healthServer()
  const before = await scrape()
  for (let i = 0; i < 3; i++) await api.request('/servers')
  await api.post('/servers/register', {
    id: 'p',
    name: 'P',
    url: plain.url,
    transport: 'http',
    interval_s: 3600,
  })
  await api.request('/servers/p/test', { method: 'POST' })
  const events = await connectWs(api.ws('/events'))
  await events.next((m) => m.type === 'snapshot')
  const after = await scrape()

  const list = {
    name: 'automcp_http_requests_total',
    labels: { method: 'GET', route: '/servers', status: '200' },
  }
  expect(value(after, list.name, list.labels) - value(before, list.name, list.labels)).toBe(3)
  expect(value(after, 'automcp_checks_total', { status: 'healthy' })).toBeGreaterThanOrEqual(1)
  expect(value(after, 'automcp_check_duration_seconds_count')).toBe(value(after, 'automcp_checks_total'))
  expect(value(after, 'automcp_servers', { status: 'healthy' })).toBe(1)
  expect(value(after, 'automcp_websocket_connections', { route: '/events' })).toBe(1)
  // Histogram buckets only grow, and +Inf holds every observation.
  const buckets = after.filter(
    (s) => s.name === 'automcp_http_request_duration_seconds_bucket' && s.labels.route === '/servers',
  )
  for (let i = 1; i < buckets.length; i++)
    expect(buckets[i]?.value).toBeGreaterThanOrEqual(buckets[i - 1]?.value as number)
  expect(buckets.at(-1)?.labels.le).toBe('+Inf')
  expect(buckets.at(-1)?.value).toBe(
    value(after, 'automcp_http_request_duration_seconds_count', { route: '/servers' }),
  )
  events.close()
  plain.stop()
})

test('chats running, chats ended and upstream errors by code', async () => {
  const upstream = fakeUpstream()
  api = await startApp({ config: { upstreamUrl: upstream.url } })
  const client = await connectWs(api.ws('/chat'))
  const hello = [{ role: 'user', content: 'hi' }]
  client.send({ id: 'slow', model: 'slow', messages: hello, stream: true })
  await client.next((m) => m.id === 'slow' && m.type === 'chunk')
  expect(value(await scrape(), 'automcp_chat_streams_active')).toBe(1)
  client.send({ id: 'r', model: 'http-429', messages: hello, stream: true })
  await client.next((m) => m.id === 'r' && m.type === 'error')
  client.send({ type: 'cancel', id: 'slow' })
  await client.next((m) => m.id === 'slow' && m.type === 'cancelled')
  const after = await scrape()
  expect(value(after, 'automcp_chat_streams_active')).toBe(0)
  expect(value(after, 'automcp_upstream_errors_total', { code: 'upstream_rate_limited' })).toBe(1)
  expect(value(after, 'automcp_chats_total', { outcome: 'cancelled' })).toBe(1)
  client.close()
  upstream.stop()
})

test('/metrics needs a key unless AUTOMCP_METRICS_PUBLIC=true', async () => {
  api = await startApp()
  expect((await fetch(`${api.base}/metrics`)).status).toBe(401)
  await api.stop()
  api = await startApp({ metricsPublic: true })
  expect((await fetch(`${api.base}/metrics`)).status).toBe(200)
  expect((await fetch(`${api.base}/servers`)).status).toBe(401)
})
