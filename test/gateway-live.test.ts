// The gateway follows the servers' health (#16): a server that goes down leaves the clients' lists (they
// are told), comes back when it does, and its calls in flight end with it. And a call the client cancels
// is cancelled on the server too.
import { afterAll, afterEach, describe, expect, test } from 'bun:test'
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js'
import { startApp, type TestApp } from './helpers/app'
import { type GatewayClient, gatewayClient, textOf, toolNamesOf } from './helpers/gateway-client'
import { type Everything, startEverything } from './helpers/peers'
import { scriptedMcp } from './helpers/scripted-mcp'
import { waitFor } from './helpers/wait'

const stops: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop().catch(() => {})
})
afterAll(async () => {
  for (const stop of stops.splice(0).reverse()) await stop().catch(() => {})
})

async function app() {
  const api = await startApp({ monitor: true, config: { checkIntervalS: 1 } })
  stops.push(() => api.stop())
  return api
}

async function connect(api: TestApp, path = '/mcp') {
  const client: GatewayClient = await gatewayClient(api.base, path)
  stops.push(() => client.close())
  return client
}

const healthy = (api: TestApp, id: string) => async () =>
  (await api.getJson(`/servers/${id}`)).status === 'healthy'

describe('list_changed as servers come and go', () => {
  test('a server that goes down leaves tools/list (list_changed), and comes back with its restart', async () => {
    let everything: Everything = await startEverything('streamableHttp')
    stops.push(() => everything.stop())
    const api = await app()
    const res = await api.post('/servers/register', {
      id: 'ev',
      name: 'Everything',
      url: everything.url,
      failure_threshold: 1,
      timeout_ms: 10_000,
    })
    expect(res.status).toBe(201)
    await waitFor(healthy(api, 'ev'), 30_000)
    // One more check first: what turning healthy changed is settled before the client comes, so the
    // first change it is told of is the one below (the first one used to be missed).
    const checked = (await api.getJson('/servers/ev/history')).data.length
    await waitFor(async () => (await api.getJson('/servers/ev/history')).data.length > checked, 10_000)

    const client = await connect(api)
    let changes = 0
    client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
      changes++
    })
    expect(await toolNamesOf(client)).toContain('Everything__echo')

    // A call in flight when the server goes ends with it rather than waiting for it.
    const progressed = Promise.withResolvers<void>()
    const inFlight = client
      .callTool(
        { name: 'Everything__trigger-long-running-operation', arguments: { duration: 600, steps: 600 } },
        undefined,
        { onprogress: () => progressed.resolve(), timeout: 700_000 },
      )
      .then(
        (r) => ({ error: r.isError === true, text: textOf(r) }),
        (e) => ({ error: true, text: String(e) }),
      )
    await progressed.promise

    await everything.stop()
    await waitFor(async () => (await api.getJson('/servers/ev')).status !== 'healthy', 30_000)
    expect((await inFlight).error).toBe(true)
    await waitFor(() => changes >= 1, 10_000)
    expect(await toolNamesOf(client)).toEqual([])

    const told = changes
    everything = await startEverything('streamableHttp', everything.port)
    await waitFor(healthy(api, 'ev'), 30_000)
    await waitFor(() => changes > told, 10_000)
    expect(await toolNamesOf(client)).toContain('Everything__echo')
    const echoed = await client.callTool({ name: 'Everything__echo', arguments: { message: 'back' } })
    expect(textOf(echoed)).toContain('back')
  }, 120_000)
})

describe('cancellation', () => {
  test('a call the client aborts is cancelled on the server (notifications/cancelled)', async () => {
    const started = Promise.withResolvers<void>()
    const cancelled = Promise.withResolvers<unknown>()
    const upstream = await scriptedMcp(
      [{ name: 'wait', inputSchema: { type: 'object' } }],
      (_name, _args, signal) => {
        started.resolve()
        // Answers only when cancelled: the test sees the server's own signal fire.
        return new Promise((resolve) =>
          signal.addEventListener('abort', () => {
            cancelled.resolve(signal.reason)
            resolve({ content: [{ type: 'text', text: 'stopped' }] })
          }),
        )
      },
    )
    stops.push(() => upstream.stop())
    const api = await app()
    await api.post('/servers/register', { id: 'slow', name: 'Slow', url: upstream.url, failure_threshold: 1 })
    await waitFor(healthy(api, 'slow'), 30_000)
    const client = await connect(api)
    await waitFor(async () => (await toolNamesOf(client)).includes('Slow__wait'), 10_000)

    const controller = new AbortController()
    const call = client.callTool({ name: 'Slow__wait', arguments: {} }, undefined, {
      signal: controller.signal,
    })
    await started.promise
    controller.abort('changed my mind')
    expect(String(await call.catch((e) => e))).toContain('changed my mind')
    // The SDK server aborts a request's signal only on `notifications/cancelled` for it.
    await cancelled.promise
    await waitFor(async () => {
      const stats = await api.getJson('/servers/slow/stats')
      return stats.tool_calls_by_source.gateway === 1
    }, 10_000)
    api.services.toolCalls.flush()
    const row = api.db.$client
      .query("SELECT error, source FROM tool_calls WHERE server_id = 'slow'")
      .get() as { error: string; source: string }
    expect(row).toEqual({ error: 'cancelled', source: 'gateway' })
  }, 60_000)
})
