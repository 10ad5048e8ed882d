import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { adminKey, json, startApp, type TestApp } from './helpers/app'
import { chromiumOptions } from './helpers/chromium'
import { type Everything, freePort, startEverything } from './helpers/peers'
import { tempDir } from './helpers/process'

// The public status page and badges (AUTOMCP_STATUS_PAGE=public) over a real server-everything, a server
// that refuses connections, and one never checked whose name is markup.
let everything: Everything
let api: TestApp
let failingUrl: string
const markup = '<script>alert("x")</script> & co'

beforeAll(async () => {
  everything = await startEverything('streamableHttp')
  failingUrl = `http://127.0.0.1:${await freePort()}/secret-path-mcp`
  api = await startApp({ config: { statusPage: 'public', failureThreshold: 1 } })
  for (const server of [
    { id: 'ok', name: 'Everything', url: everything.url },
    { id: 'down', name: 'Broken One', url: failingUrl },
    { id: 'odd', name: markup, url: everything.url },
  ])
    expect((await api.post('/servers/register', server)).status).toBe(201)
  // Checked now, recorded like the worker's checks: statuses, reasons and hourly rollups (uptime).
  for (const id of ['ok', 'down']) await api.request(`/servers/${id}/test`, { method: 'POST' })
  const down = await api.getJson('/servers/down')
  expect(down).toMatchObject({ status: 'unhealthy', status_reason: 'connection_refused' })
}, 60_000)
afterAll(async () => {
  await api?.stop()
  await everything?.stop()
})

/** A request with no key at all: the status page is for anyone. */
const anonymous = (path: string, headers: Record<string, string> = {}) => fetch(api.base + path, { headers })

describe('enabled (AUTOMCP_STATUS_PAGE=public)', () => {
  test('GET /status without a key: HTML listing names, statuses and uptimes, and no URL or reason', async () => {
    const res = await anonymous('/status')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(res.headers.get('cache-control')).toBe('public, max-age=30')
    const csp = res.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("style-src 'self'")
    expect(csp).not.toContain('unsafe-inline')
    const html = await res.text()
    expect(html).toContain('<th scope="row">Everything</th>')
    expect(html).toContain('<th scope="row">Broken One</th>')
    expect(html).toMatch(
      /<span class="status colour-green">healthy<\/span><\/td><td class="uptime colour-green">100%</,
    )
    expect(html).toMatch(
      /<span class="status colour-red">unhealthy<\/span><\/td><td class="uptime colour-red">0%</,
    )
    expect(html).toContain(
      '<span class="status colour-grey">unknown</span></td><td class="uptime colour-grey">no data<',
    )
    expect(html).toContain('1 of 3 servers healthy: 1 unhealthy, 1 unknown.')
    // Nothing that reaches a server or says why it fails; no script, no inline style.
    for (const secret of [
      failingUrl,
      String(new URL(failingUrl).port),
      'secret-path',
      everything.url,
      'refused',
      'connection_refused',
    ])
      expect(html).not.toContain(secret)
    expect(html).not.toMatch(/<script|style=|<style/i)
    const sheet = /<link rel="stylesheet" href="(\/status\/status-[0-9a-z]+\.css)"/.exec(html)?.[1]
    expect(sheet).toBeString()
    const css = await anonymous(sheet as string)
    expect(css.status).toBe(200)
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8')
    expect(css.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(await css.text()).toContain('.colour-red')
    const other = await anonymous('/status/status-0.css')
    expect(other.status).toBe(404)
    expect(await json(other)).toMatchObject({ code: 'not_found' })
  })

  test('a name that is markup is escaped, in the page and in a badge', async () => {
    const html = await (await anonymous('/status')).text()
    expect(html).not.toContain('<script>')
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co')
    const svg = await (await anonymous('/badge/odd/status.svg')).text()
    expect(svg).not.toContain('<script>')
    expect(svg).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co')
  })

  test('?format=json and Accept: application/json: the same rows as JSON, with ids for badges and nothing else', async () => {
    for (const res of [
      await anonymous('/status?format=json'),
      await anonymous('/status', { accept: 'application/json' }),
    ]) {
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toStartWith('application/json')
      expect(res.headers.get('cache-control')).toBe('public, max-age=30')
      const text = await res.text()
      for (const secret of [failingUrl, 'secret-path', everything.url, 'refused'])
        expect(text).not.toContain(secret)
      const body = JSON.parse(text)
      expect(body.servers).toEqual([
        { id: 'ok', name: 'Everything', status: 'healthy', uptime_24h: 1, uptime_30d: 1 },
        { id: 'down', name: 'Broken One', status: 'unhealthy', uptime_24h: 0, uptime_30d: 0 },
        { id: 'odd', name: markup, status: 'unknown', uptime_24h: null, uptime_30d: null },
      ])
      expect(body.updated_at).toBeCloseTo(Date.now() / 1000, -2)
    }
    // A browser asks for HTML first: it gets the page.
    const page = await anonymous('/status', { accept: 'text/html,application/json;q=0.9' })
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect((await anonymous('/status?format=xml')).status).toBe(422)
  })

  test('status badges: the name, and the status on its colour', async () => {
    const ok = await anonymous('/badge/ok/status.svg')
    expect(ok.status).toBe(200)
    expect(ok.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8')
    expect(ok.headers.get('content-security-policy')).toBe("default-src 'none'")
    const okSvg = await ok.text()
    expect(okSvg).toStartWith('<svg xmlns="http://www.w3.org/2000/svg"')
    expect(okSvg).toContain('<title>Everything: healthy</title>')
    expect(okSvg).toContain('fill="#4c1"')
    const downSvg = await (await anonymous('/badge/down/status.svg')).text()
    expect(downSvg).toContain('<title>Broken One: unhealthy</title>')
    expect(downSvg).toContain('fill="#e05d44"')
    expect(downSvg).not.toContain('refused')
    expect(await (await anonymous('/badge/odd/status.svg')).text()).toContain('fill="#9f9f9f"')
  })

  test('uptime badges: 24h unless a window is given, coloured by the ratio', async () => {
    const ok = await (await anonymous('/badge/ok/uptime.svg')).text()
    expect(ok).toContain('<title>uptime 24h: 100%</title>')
    expect(ok).toContain('fill="#4c1"')
    const down = await (await anonymous('/badge/down/uptime.svg?window=7d')).text()
    expect(down).toContain('<title>uptime 7d: 0%</title>')
    expect(down).toContain('fill="#e05d44"')
    const none = await (await anonymous('/badge/odd/uptime.svg?window=30d')).text()
    expect(none).toContain('<title>uptime 30d: no data</title>')
    expect(none).toContain('fill="#9f9f9f"')
    const bad = await anonymous('/badge/ok/uptime.svg?window=1y')
    expect(bad.status).toBe(422)
    expect(await json(bad)).toMatchObject({ code: 'validation_error' })
  })

  test('a badge of an unknown id is a JSON 404', async () => {
    for (const path of [
      '/badge/nope/status.svg',
      '/badge/nope/uptime.svg',
      '/badge/constructor/status.svg',
    ]) {
      const res = await anonymous(path)
      expect(res.status, path).toBe(404)
      expect(res.headers.get('content-type')).toStartWith('application/json')
      expect(await json(res)).toMatchObject({ code: 'server_not_found' })
    }
  })
  test('the OpenAPI document lists the routes as open to anyone', async () => {
    const doc = await api.getJson('/openapi/json')
    for (const path of ['/status', '/status/{file}', '/badge/{id}/status.svg', '/badge/{id}/uptime.svg']) {
      expect(doc.paths[path]?.get, path).toMatchObject({ security: [], tags: ['dashboard'] })
      expect(doc.paths[path].get.summary, path).toBeString()
    }
    expect(Object.keys(doc.paths['/status'].get.responses['200'].content)).toContain('application/json')
  })
})

describe('disabled (the default)', () => {
  let off: TestApp
  beforeAll(async () => {
    off = await startApp()
    await off.post('/servers/register', { id: 'ok', name: 'Everything', url: everything.url })
  })
  afterAll(() => off?.stop())

  test('the routes do not exist: 401 without a key, 404 route_not_found with one', async () => {
    for (const path of ['/status', '/status?format=json', '/badge/ok/status.svg', '/badge/ok/uptime.svg']) {
      const bare = await fetch(off.base + path)
      expect(bare.status, path).toBe(401)
      const keyed = await fetch(off.base + path, { headers: { authorization: `Bearer ${adminKey}` } })
      expect(keyed.status, path).toBe(404)
      expect(await json(keyed)).toMatchObject({ code: 'route_not_found' })
    }
  })
})

test('in Chromium: the status page is styled under its CSP, and shows a badge; nothing else is fetched', async () => {
  const browser = await chromium.launch(await chromiumOptions())
  try {
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } })
    const refused: string[] = []
    await context.route('**/*', (route) => {
      if (new URL(route.request().url()).origin === api.base) return route.continue()
      refused.push(route.request().url())
      return route.abort('blockedbyclient')
    })
    const page = await context.newPage()
    const violations: string[] = []
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text())
    })
    await page.goto(`${api.base}/status`)
    await page.getByText('Broken One').waitFor()
    // Its stylesheet applied: the page is not the browser's default black on white Times.
    const font = await page.evaluate(() => getComputedStyle(document.body).fontFamily)
    expect(font).not.toMatch(/^"?Times/)
    await page.screenshot({ path: join(tempDir('automcp-status-'), 'status.png'), fullPage: true })
    // A badge as another site embeds it: an image that loads.
    await page.goto(`${api.base}/badge/ok/uptime.svg`)
    const svg = await page.evaluate(() => document.documentElement.outerHTML)
    expect(svg).toContain('<svg')
    expect(violations).toEqual([])
    expect(refused).toEqual([])
  } finally {
    await browser.close()
  }
}, 60_000)
