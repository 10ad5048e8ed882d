import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { type Browser, chromium, type LaunchOptions, type Locator, type Page } from 'playwright-core'
import { adminKey } from './helpers/app'
import { type Binary, binaryAlone } from './helpers/binary'
import { chromiumOptions } from './helpers/chromium'
import { type ServerProcess, tempDir } from './helpers/process'

// Swagger UI as a user sees it: Debian's chromium, else the one inside the npm package @sparticuz/chromium
// (never a downloaded browser), against the compiled binary, with every request to another host refused,
// so a CDN dependency would show as a broken page.
let binary: Binary
let server: ServerProcess
let launchOptions: LaunchOptions
let browser: Browser | undefined
const screenshots = tempDir('automcp-swagger-')

beforeAll(async () => {
  ;[binary, launchOptions] = await Promise.all([binaryAlone(), chromiumOptions()])
  server = await binary.start()
}, 60_000)
afterAll(async () => {
  await browser?.close()
  binary?.cleanup()
})

/** A page in a fresh browser context (no stored authorization) that refuses every request off the binary. */
async function openSwagger() {
  browser ??= await chromium.launch(launchOptions)
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  // A step that cannot happen fails in seconds, well inside the test's own timeout.
  context.setDefaultTimeout(5_000)
  const refused: string[] = []
  const sent: { path: string; authorization: string | undefined }[] = []
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url())
    if (url.origin !== server.base) {
      refused.push(url.href)
      return route.abort('blockedbyclient')
    }
    sent.push({ path: url.pathname, authorization: route.request().headers().authorization })
    return route.continue()
  })
  const page = await context.newPage()
  await page.goto(`${server.base}/swagger`)
  await page.locator('.opblock').first().waitFor()
  return { page, refused, sent }
}

/** The operation block of `GET path`, expanded, with "Try it out" pressed. */
async function tryOut(page: Page, path: string): Promise<Locator> {
  const op = page.locator(`.opblock-get:has(.opblock-summary-path[data-path="${path}"])`)
  await op.locator('.opblock-summary').click()
  await op.getByRole('button', { name: 'Try it out' }).click()
  return op
}

/** Presses Execute and returns the status Swagger UI then shows under "Server response". */
async function execute(page: Page, op: Locator, path: string): Promise<string> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === path),
    op.getByRole('button', { name: 'Execute' }).click(),
  ])
  // The previous answer stays on screen until the new one is rendered: wait for the one just received.
  // The cell holds the code, then "Undocumented" for a status the OpenAPI document does not list.
  const status = op.locator('.live-responses-table tbody .response-col_status').first()
  await status.filter({ hasText: new RegExp(`^\\s*${response.status()}\\b`) }).waitFor({ timeout: 5_000 })
  return /^\s*(\d+)/.exec((await status.textContent()) ?? '')?.[1] ?? ''
}

describe('Swagger UI in chromium, served by the compiled binary', () => {
  test('renders the operation list; Try it out on GET /health shows 200; a screenshot is taken', async () => {
    const { page, refused } = await openSwagger()
    const paths = await page
      .locator('.opblock-summary-path')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-path')))
    expect(paths).toEqual(
      expect.arrayContaining(['/health', '/servers', '/servers/register', '/servers/{id}']),
    )

    const health = await tryOut(page, '/health')
    expect(await execute(page, health, '/health')).toBe('200')
    await expect(
      health.locator('.live-responses-table tbody .response-col_description').first().textContent(),
    ).resolves.toContain('"status": "ok"')

    const shot = join(screenshots, 'swagger-health.png')
    await page.screenshot({ path: shot, fullPage: true })
    expect(statSync(shot).size).toBeGreaterThan(10_000)
    expect(refused).toEqual([])
    await page.context().close()
  }, 30_000)

  test('GET /servers answers 401 until the key is given through Authorize, then 200', async () => {
    const { page, refused, sent } = await openSwagger()
    const servers = await tryOut(page, '/servers')
    expect(await execute(page, servers, '/servers')).toBe('401')

    await page.locator('.auth-wrapper .btn.authorize').click()
    const dialog = page.locator('.modal-ux')
    await dialog.getByLabel('Value').fill(adminKey)
    await dialog.locator('button.authorize').click()
    await dialog.getByRole('button', { name: 'Remove authorization' }).waitFor()
    await dialog.getByRole('button', { name: 'Close' }).click()
    await dialog.waitFor({ state: 'detached' })

    expect(await execute(page, servers, '/servers')).toBe('200')
    const calls = sent.filter((s) => s.path === '/servers')
    expect(calls.map((c) => c.authorization)).toEqual([undefined, `Bearer ${adminKey}`])
    await page.screenshot({ path: join(screenshots, 'swagger-authorized.png'), fullPage: true })
    expect(refused).toEqual([])
    await page.context().close()
  }, 30_000)
})
