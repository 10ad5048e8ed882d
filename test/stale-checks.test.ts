import { afterEach, describe, expect, test } from 'bun:test'
import { json, startApp, type TestApp } from './helpers/app'
import { blackHole, healthServer } from './helpers/peers'
import { waitFor } from './helpers/wait'

// A check that began before its server was changed, deleted or registered again must leave no trace on
// the server it now is: not its status or capabilities, not its history, not its flap control. Each test
// holds the old endpoint's answer until the change is made, so the order of events is fixed.

let api: TestApp
afterEach(() => api?.stop())

const testNow = (id: string) => api.request(`/servers/${id}/test`, { method: 'POST' })
const history = async (id: string) =>
  (await api.getJson(`/servers/${id}/history`)).data.map((c: { status: string }) => c.status)
/** A URL where nothing listens: every check of it is refused. */
const refusedUrl = () => {
  const closed = healthServer()
  closed.stop()
  return `${closed.url}/mcp`
}
// What a server looks like before its first check.
const unchecked = {
  status: 'unknown',
  status_reason: null,
  capabilities: {},
  latency_ms: null,
  last_checked: null,
}

describe('a check in flight when its server changes', () => {
  test('the worker drops it when the URL changes, then checks the new URL', async () => {
    api = await startApp({ monitor: true })
    const old = healthServer()
    const next = healthServer()
    old.set('hold')
    next.set('hold')
    await api.post('/servers/register', {
      id: 'w',
      name: 'W',
      url: old.url,
      transport: 'http',
      interval_s: 3600,
    })
    await waitFor(() => old.seen.length === 1)
    expect(await json(await api.patch('/servers/w', { url: next.url }))).toMatchObject(unchecked)
    old.release() // healthy, with capabilities: of the old URL
    // Checks of one server never overlap: the new URL's first check begins once the old one is over.
    await waitFor(() => next.seen.length === 1)
    expect(await api.getJson('/servers/w')).toMatchObject({ url: next.url, ...unchecked })
    next.release(503)
    await waitFor(async () => (await api.getJson('/servers/w')).status !== 'unknown')
    expect(await api.getJson('/servers/w')).toMatchObject({
      status: 'degraded',
      status_reason: 'http_503',
      capabilities: {},
    })
    expect(await history('w')).toEqual(['degraded'])
    old.stop()
    next.stop()
  })

  test('deleted and registered again under the same id: the old check lands nowhere', async () => {
    api = await startApp()
    const old = healthServer()
    const next = healthServer()
    old.set('hold')
    await api.post('/servers/register', { id: 'x', name: 'X', url: old.url, transport: 'http' })
    const testing = testNow('x')
    await waitFor(() => old.seen.length === 1)
    expect((await api.request('/servers/x', { method: 'DELETE' })).status).toBe(204)
    const again = await api.post('/servers/register', {
      id: 'x',
      name: 'X',
      url: next.url,
      transport: 'http',
    })
    expect(again.status).toBe(201)
    old.release()
    // The answer reports what the probe saw, and the status of the server as it is now.
    expect(await json(await testing)).toMatchObject({ success: true, status: 'unknown' })
    expect(await api.getJson('/servers/x')).toMatchObject({ url: next.url, ...unchecked })
    expect(await history('x')).toEqual([])
    expect(next.seen).toHaveLength(0)
    old.stop()
    next.stop()
  })

  test('new headers: the check made with the old ones lands nowhere', async () => {
    api = await startApp()
    const peer = healthServer()
    peer.set('hold')
    await api.post('/servers/register', {
      id: 'h',
      name: 'H',
      url: peer.url,
      transport: 'http',
      headers: { authorization: 'Bearer old' },
    })
    const testing = testNow('h')
    await waitFor(() => peer.seen.length === 1)
    const patched = await api.patch('/servers/h', { headers: { authorization: 'Bearer new' } })
    expect(await json(patched)).toMatchObject(unchecked)
    peer.release()
    expect((await testing).status).toBe(200)
    expect(peer.seen[0]?.get('authorization')).toBe('Bearer old')
    expect(await api.getJson('/servers/h')).toMatchObject(unchecked)
    expect(await history('h')).toEqual([])
    peer.stop()
  })

  test('its failure does not count towards the failure threshold of the new URL', async () => {
    api = await startApp()
    const hole = await blackHole()
    await api.post('/servers/register', {
      id: 'f',
      name: 'F',
      url: hole.url,
      transport: 'http',
      failure_threshold: 2,
      timeout_ms: 30_000,
    })
    const testing = testNow('f')
    await waitFor(() => hole.connections === 1)
    await api.patch('/servers/f', { url: refusedUrl() })
    hole.drop() // the old URL's check fails now, after the change
    expect(await json(await testing)).toMatchObject({ success: false, status: 'unknown' })
    // One failure of the new URL, of the two it takes to be unhealthy.
    expect(await json(await testNow('f'))).toMatchObject({
      status: 'unknown',
      status_reason: 'connection_refused',
    })
    expect(await json(await testNow('f'))).toMatchObject({ status: 'unhealthy' })
    hole.stop()
  })
})

describe('a changed server starts its flap control afresh', () => {
  test('a new URL does not inherit the failure streak of the old one', async () => {
    api = await startApp()
    await api.post('/servers/register', {
      id: 'f',
      name: 'F',
      url: refusedUrl(),
      transport: 'http',
      failure_threshold: 2,
    })
    expect(await json(await testNow('f'))).toMatchObject({
      status: 'unknown',
      status_reason: 'connection_refused',
    })
    await api.patch('/servers/f', { url: refusedUrl() })
    expect(await json(await testNow('f'))).toMatchObject({
      status: 'unknown',
      status_reason: 'connection_refused',
    })
    expect(await json(await testNow('f'))).toMatchObject({
      status: 'unhealthy',
      status_reason: 'connection_refused',
    })
  })
})
