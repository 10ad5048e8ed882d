import { afterEach, beforeEach, expect, test } from 'bun:test'
import pkg from '../package.json' with { type: 'json' }
import { json, startApp, type TestApp } from './helpers/app'

let api: TestApp
beforeEach(async () => {
  api = await startApp()
})
afterEach(() => api.stop())

test('GET /health answers ok, the version and the uptime', async () => {
  const res = await api.request('/health')
  expect(res.status).toBe(200)
  const body = await json(res)
  expect(body).toEqual({ status: 'ok', version: pkg.version, uptime_s: expect.any(Number) })
  expect(body.uptime_s).toBeGreaterThanOrEqual(0)
})

test('GET /health answers 503 when the database is not usable', async () => {
  api.db.$client.close()
  const res = await api.request('/health')
  expect(res.status).toBe(503)
  expect(await json(res)).toEqual({ detail: 'The database is not usable', code: 'database_unavailable' })
})
