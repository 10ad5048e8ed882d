import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { type Browser, type BrowserContext, chromium, type LaunchOptions, type Page } from 'playwright-core'
import { adminKey, json, startApp, type TestApp } from './helpers/app'
import { chromiumOptions } from './helpers/chromium'
import { type Everything, startEverything } from './helpers/peers'
import { tempDir } from './helpers/process'

// The dashboard as a user sees it, in Chromium, against the real app and real MCP servers, with every
// request to another host refused (a CDN dependency would show as a broken page).
let app: TestApp
let everything: Everything
let launchOptions: LaunchOptions
let browser: Browser
const screenshots = tempDir('automcp-dashboard-')
const contexts: BrowserContext[] = []

beforeAll(async () => {
  ;[app, everything, launchOptions] = await Promise.all([
    startApp({ monitor: true }),
    startEverything('streamableHttp'),
    chromiumOptions(),
  ])
  browser = await chromium.launch(launchOptions)
  const res = await app.post('/servers/register', {
    id: 'everything',
    name: 'Everything',
    url: everything.url,
    interval_s: 1,
    tags: ['reference'],
  })
  expect(res.status).toBe(201)
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await Promise.all([app?.stop(), everything?.stop()])
})

/** A page on `base` in a fresh context (no stored key), refusing every request to another origin. */
async function open(base: string, hash = '') {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  contexts.push(context)
  context.setDefaultTimeout(8_000)
  const refused: string[] = []
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url())
    if (url.origin !== base) {
      refused.push(url.href)
      return route.abort('blockedbyclient')
    }
    return route.continue()
  })
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(String(e)))
  page.on('console', (m) => {
    // The first request, without a key, answers 401 by design: that is how the app learns to ask for one.
    if (m.type() === 'error' && !/status of 401/.test(m.text())) errors.push(m.text())
  })
  await page.goto(`${base}/${hash}`)
  return { page, refused, errors }
}

async function signIn(page: Page, key: string) {
  await page.getByLabel('API key').fill(key)
  await page.getByLabel('API key').press('Enter')
}

const row = (page: Page, name: string) => page.getByRole('row').filter({ hasText: name })

describe('the dashboard in chromium', () => {
  test('sign in: an unknown key is refused, the admin key shows the servers, live', async () => {
    const { page, refused, errors } = await open(app.base)
    await signIn(page, 'amcp_not-a-key')
    await page.getByRole('alert').filter({ hasText: 'The API key is unknown or revoked' }).waitFor()

    await signIn(page, adminKey)
    await row(page, 'Everything').getByText('healthy').waitFor()
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor()
    await expect(page.getByRole('link', { name: 'Everything' }).getAttribute('href')).resolves.toBe(
      '#/servers/everything',
    )
    // The key is kept for the tab only, never where it would outlive it.
    expect(await page.evaluate(() => [sessionStorage.length, localStorage.length])).toEqual([1, 0])
    for (const nav of ['Servers', 'Register', 'Chat', 'Toolsets', 'Keys'])
      await page.getByRole('navigation').getByRole('link', { name: nav }).waitFor()

    expect(refused).toEqual([])
    expect(errors).toEqual([])
  }, 30_000)

  test("a server's status changes on screen when its backend dies, without a reload", async () => {
    const doomed = await startEverything('streamableHttp')
    try {
      const res = await app.post('/servers/register', {
        id: 'doomed',
        name: 'Doomed',
        url: doomed.url,
        interval_s: 1,
        failure_threshold: 1,
      })
      expect(res.status).toBe(201)
      const { page } = await open(app.base)
      await signIn(page, adminKey)
      await row(page, 'Doomed').getByText('healthy', { exact: true }).waitFor()
      await page.evaluate(() => {
        ;(window as unknown as { marker: number }).marker = 1
      })
      await doomed.stop()
      await row(page, 'Doomed')
        .getByText(/^unhealthy/)
        .waitFor({ timeout: 10_000 })
      expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1)
      // The README's picture (docs/dashboard.png is a copy of one): one server up with its recent
      // latencies, one down. A test run writes only to its temporary folder.
      await row(page, 'Everything').locator('svg.spark').waitFor()
      const shot = join(screenshots, 'servers.png')
      await page.screenshot({ path: shot, fullPage: true })
      expect(statSync(shot).size).toBeGreaterThan(10_000)
    } finally {
      await doomed.stop()
      await app.request('/servers/doomed', { method: 'DELETE' })
    }
  }, 30_000)

  test("a server's page: the latency chart has points; a tool is called and its result shown", async () => {
    const { page, errors } = await open(app.base, '#/servers/everything')
    await signIn(page, adminKey)
    const chart = page.getByRole('img', { name: /latency/i })
    await chart.waitFor()
    await page.waitForFunction(
      () => Number(document.querySelector('.chart')?.getAttribute('data-points')) >= 2,
    )
    expect(await page.locator('.chart canvas').count()).toBe(1)

    const echo = page
      .locator('details.tool')
      .filter({ has: page.locator('summary code', { hasText: /^echo$/ }) })
    await echo.locator('summary').click()
    await echo.getByLabel('Arguments (JSON)').fill('{"message":"hello from the dashboard"}')
    await echo.getByRole('button', { name: 'Call echo' }).click()
    await echo.getByRole('status').filter({ hasText: 'Echo: hello from the dashboard' }).waitFor()
    await page.screenshot({ path: join(screenshots, 'server.png'), fullPage: true })
    expect(errors).toEqual([])
  }, 30_000)

  test('register: a bad URL is shown beside its field, then a good one opens the new server', async () => {
    const { page } = await open(app.base, '#/register')
    await signIn(page, adminKey)
    await page.getByLabel('URL', { exact: true }).fill('not a url')
    await page.getByLabel('Name', { exact: true }).fill('Second')
    await page.getByLabel('Id', { exact: true }).fill('second')
    await page.getByRole('button', { name: 'Register' }).click()
    const urlError = page.locator('#e-url')
    await urlError.filter({ hasText: 'body field "url"' }).waitFor()
    await expect(page.getByLabel('URL', { exact: true }).getAttribute('aria-describedby')).resolves.toBe(
      'e-url',
    )
    await page.screenshot({ path: join(screenshots, 'register-error.png'), fullPage: true })

    await page.getByLabel('URL', { exact: true }).fill(everything.url)
    await page.getByRole('button', { name: 'Register' }).click()
    await page.waitForURL(/#\/servers\/second$/)
    await page.getByRole('heading', { name: 'Second' }).waitFor()
    expect((await json(await app.request('/servers/second'))).url).toBe(everything.url)
    await app.request('/servers/second', { method: 'DELETE' })
  }, 30_000)

  test('a read key sees the servers and no button that changes things', async () => {
    const created = await app.post('/keys', { name: 'viewer', role: 'read' })
    expect(created.status).toBe(201)
    const { key } = await json(created)
    const { page } = await open(app.base)
    await signIn(page, key)
    await row(page, 'Everything').waitFor()
    await page.getByText('read key').waitFor()
    expect(await page.getByRole('link', { name: /Register/ }).count()).toBe(0)
    await page.getByRole('link', { name: 'Everything' }).click()
    await page.getByRole('img', { name: /latency/i }).waitFor()
    await page.locator('details.tool').first().waitFor()
    for (const name of ['Register', 'Test now', 'Delete', 'Edit', 'Connect', 'Call'])
      expect(await page.getByRole('button', { name }).count()).toBe(0)
    await page.screenshot({ path: join(screenshots, 'read-key.png'), fullPage: true })
  }, 30_000)

  test('with auth off there is no sign-in', async () => {
    const open_ = await startApp({ auth: 'off' })
    try {
      await open_.post('/servers/register', { id: 'e', name: 'Open everything', url: everything.url })
      const { page, errors } = await open(open_.base)
      await row(page, 'Open everything').waitFor()
      await page.getByRole('status').filter({ hasText: 'live' }).waitFor()
      expect(await page.getByLabel('API key').count()).toBe(0)
      expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0)
      expect(errors).toEqual([])
    } finally {
      await open_.stop()
    }
  }, 30_000)
})
