import { afterAll, beforeAll, expect, test } from 'bun:test'
import { adminKey, startApp, type TestApp } from './helpers/app'
import { waitFor } from './helpers/wait'

// Sessions of /mcp as raw HTTP: what a client that is not the SDK sees.

let api: TestApp
beforeAll(async () => {
  api = await startApp({ config: { gatewayIdleMs: 300, gatewaySessionsPerKey: 2 } })
})
afterAll(() => api.stop())

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
}

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${api.base}/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${adminKey}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify(body),
  })

async function open(): Promise<string> {
  const res = await post(initialize)
  expect(res.status).toBe(200)
  await res.text()
  const id = res.headers.get('mcp-session-id') as string
  expect(id).toBeString()
  return id
}

const ping = (id: string) =>
  post(
    { jsonrpc: '2.0', id: 2, method: 'ping' },
    { 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' },
  )

test('a key holds at most AUTOMCP_GATEWAY_SESSIONS_PER_KEY sessions; an idle one is closed, then 404', async () => {
  const first = await open()
  const second = await open()
  const third = await post(initialize)
  expect(third.status).toBe(429)
  expect(await third.json()).toMatchObject({ code: 'too_many_sessions', error: { code: -32000 } })
  // Idle past AUTOMCP_GATEWAY_IDLE_TIMEOUT (300 ms here): closed by the sweep (watched on /metrics, as a
  // request would keep the session alive), and the key may open more.
  const open_ = 'automcp_gateway_sessions{transport="streamable-http"}'
  expect(await api.request('/metrics').then((r) => r.text())).toContain(`${open_} 2`)
  await waitFor(async () => (await (await api.request('/metrics')).text()).includes(`${open_} 0`), 10_000)
  expect((await ping(first)).status).toBe(404)
  const gone = await ping(second)
  expect(gone.status).toBe(404)
  expect(await gone.json()).toMatchObject({ code: 'session_not_found', error: { code: -32001 } })
  expect(await open()).toBeString()
}, 20_000)

test('an initialize body streamed past 4 MiB is refused with 413, not read to its end', async () => {
  const chunk = new Uint8Array(1024 * 1024).fill(32)
  let sent = 0
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      // Spaces after a JSON value: valid JSON whatever its length, were it read to the end.
      if (sent === 0) controller.enqueue(new TextEncoder().encode(JSON.stringify(initialize)))
      if (sent++ < 64) controller.enqueue(chunk)
      else controller.close()
    },
  })
  const res = await fetch(`${api.base}/mcp`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body,
  })
  expect(res.status).toBe(413)
  expect(await res.json()).toMatchObject({ code: 'payload_too_large' })
  expect(sent).toBeLessThan(64)
})

test('a request without a session id that is not initialize is 400; a body that is not JSON is a parse error', async () => {
  const res = await post({ jsonrpc: '2.0', id: 1, method: 'tools/list' })
  expect(res.status).toBe(400)
  expect(await res.json()).toMatchObject({ code: 'session_required' })
  const bad = await fetch(`${api.base}/mcp`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: '{"jsonrpc":',
  })
  expect(bad.status).toBe(400)
  expect(await bad.json()).toMatchObject({ error: { code: -32700 } })
})
