import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { type Browser, chromium, type Page } from 'playwright-core'
import { adminKey, json, startApp, type TestApp } from './helpers/app'
import { chromiumOptions } from './helpers/chromium'
import { type Everything, startEverything } from './helpers/peers'
import { tempDir } from './helpers/process'
import { type Reply, type ToolRequest, toolMessages, toolUpstream } from './helpers/tool-upstream'

// The dashboard's chat, toolsets and keys pages in Chromium (never a downloaded one), against the app with
// the reference MCP server registered and a scripted model; every request to another host is refused.
let everything: Everything
let upstream: ReturnType<typeof toolUpstream>
let app: TestApp
let browser: Browser
const screenshots = tempDir('automcp-dashboard-')

// What the model answers: each test sets its own script.
let script: (request: ToolRequest) => Reply | Promise<Reply> = () => ({ content: 'Hi' })

beforeAll(async () => {
  let options: Awaited<ReturnType<typeof chromiumOptions>>
  ;[everything, options] = await Promise.all([startEverything('streamableHttp'), chromiumOptions()])
  upstream = toolUpstream((request) => script(request))
  app = await startApp({ config: { upstreamUrl: upstream.url } })
  expect(
    (await app.post('/servers/register', { id: 'ref', name: 'Everything', url: everything.url })).status,
  ).toBe(201)
  expect((await json(await app.request('/servers/ref/test', { method: 'POST' }))).status).toBe('healthy')
  browser = await chromium.launch(options)
}, 60_000)
afterAll(async () => {
  await browser?.close()
  await app?.stop()
  upstream?.stop()
  await everything?.stop()
})

/** A page of the dashboard at `route`, signed in with `key`, refusing every request to another host. */
async function open(route: string, key = adminKey) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  const refused: string[] = []
  await context.route('**/*', (r) => {
    if (new URL(r.request().url()).origin === app.base) return r.continue()
    refused.push(r.request().url())
    return r.abort('blockedbyclient')
  })
  await context.addInitScript((k) => sessionStorage.setItem('automcp.key', k), key)
  const page = await context.newPage()
  // The first page builds the bundle (the dashboard's macro); later steps fail within seconds.
  await page.goto(`${app.base}/${route}`, { timeout: 30_000 })
  context.setDefaultTimeout(5_000)
  return { page, refused }
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true })

/** Sends `text` in the chat page. */
async function ask(page: Page, text: string) {
  await page.getByLabel('Message').fill(text)
  await page.getByRole('button', { name: 'Send' }).click()
}

/** The model of these tests: echo `message` with the reference server's tool, then say what it answered. */
const echoModel =
  (message: string) =>
  (request: ToolRequest): Reply => {
    const results = toolMessages(request)
    if (results.length === 0)
      return { content: 'Let me echo that. ', calls: [{ name: 'Everything__echo', arguments: { message } }] }
    return { content: `The tool answered: ${String(results[0]?.content)}` }
  }

describe('the chat page', () => {
  test('ask mode: the call waits for Approve; its card shows arguments and result; the answer follows; the next question carries the conversation', async () => {
    script = echoModel('hello from the dashboard')
    const { page, refused } = await open('#/chat')
    await page.getByLabel('Ask before each call').check()
    await ask(page, 'Echo something')

    const card = page.getByRole('article', { name: 'Tool call Everything__echo' })
    await card.getByText('waiting for approval').waitFor()
    await expect(card.textContent()).resolves.toContain('"message": "hello from the dashboard"')
    await expect(card.textContent()).resolves.toContain('on Everything')
    expect(upstream.seen.at(-1)?.messages.some((m) => m.role === 'tool')).toBe(false)
    await card.getByRole('button', { name: 'Approve' }).click()

    await card.getByText('Echo: hello from the dashboard').waitFor()
    await card.getByText('ok', { exact: true }).waitFor()
    await page.getByText('The tool answered: Echo: hello from the dashboard').waitFor()
    await page.getByRole('button', { name: 'New conversation' }).waitFor()
    expect(await card.getByRole('button', { name: 'Approve' }).count()).toBe(0)
    await shot(page, 'chat-approved')

    script = () => ({ content: 'Nothing more.' })
    await ask(page, 'Thanks')
    await page.getByText('Nothing more.').waitFor()
    const last = upstream.seen.at(-1)
    expect(last?.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', 'Echo something'],
      ['assistant', 'Let me echo that. The tool answered: Echo: hello from the dashboard'],
      ['user', 'Thanks'],
    ])
    expect(refused).toEqual([])
    await page.context().close()
  }, 30_000)

  test('a denied call is not made: its card says so and the model reads the refusal', async () => {
    script = echoModel('never sent')
    const { page } = await open('#/chat')
    await page.getByLabel('Ask before each call').check()
    await ask(page, 'Echo something else')

    const card = page.getByRole('article', { name: 'Tool call Everything__echo' })
    await card.getByRole('button', { name: 'Deny' }).click()
    await card.getByText('error', { exact: true }).waitFor()
    await page.getByText(/The tool answered: Error/).waitFor()
    expect(await card.getByRole('button', { name: 'Approve' }).count()).toBe(0)
    const refusal = toolMessages(upstream.seen.at(-1) as ToolRequest)[0]?.content
    expect(String(refusal)).toStartWith('Error')
    const shown = await card.locator('pre').last().textContent()
    expect(shown).toContain('denied')
    expect(String(refusal)).toContain(shown as string)
    await shot(page, 'chat-denied')
    await page.context().close()
  }, 30_000)

  test('chosen servers, automatic mode: the call is made at once; Cancel stops a chat the model is slow to answer', async () => {
    const held = Promise.withResolvers<Reply>()
    script = (request) => (toolMessages(request).length === 0 ? echoModel('auto')(request) : held.promise)
    const { page } = await open('#/chat')
    const sent: Record<string, unknown>[] = []
    const urls: string[] = []
    page.on('websocket', (ws) => {
      urls.push(ws.url())
      if (new URL(ws.url()).pathname === '/chat')
        ws.on('framesent', (f) => sent.push(JSON.parse(String(f.payload))))
    })
    await page.getByLabel('Chosen servers').check()
    await expect(page.getByRole('button', { name: 'Send' }).isDisabled()).resolves.toBe(true)
    await page.getByLabel('Everything').check()
    await ask(page, 'Echo, then think for ever')
    const card = page.getByRole('article', { name: 'Tool call Everything__echo' })
    await card.getByText('Echo: auto').waitFor()
    expect(await card.getByRole('button', { name: 'Approve' }).count()).toBe(0)
    expect(sent[0]).toMatchObject({ type: 'chat', tools: 'auto', servers: ['ref'], tool_approval: 'auto' })
    // The key went as a subprotocol, never in a URL (the shell's /events socket included).
    expect(urls).toContain(`${app.base.replace('http', 'ws')}/chat`)
    expect(urls.filter((u) => u.includes(adminKey))).toEqual([])

    await page.getByRole('button', { name: 'Cancel' }).click()
    await page.getByText('Cancelled').waitFor()
    await page.getByRole('button', { name: 'New conversation' }).waitFor()
    held.resolve({ content: 'too late' })
    await page.context().close()
  }, 30_000)

  test("the upstream's failure is shown with its code", async () => {
    script = () => ({ fail: { status: 429, message: 'Slow down' } })
    const { page } = await open('#/chat')
    await ask(page, 'Hello')
    const alert = page.getByRole('alert')
    await alert.getByText('upstream_rate_limited').waitFor()
    await page.context().close()
  }, 30_000)
})

describe('the toolsets page', () => {
  test('a toolset is created, listed with its URL, edited and deleted; a bad name shows the 422', async () => {
    const { page } = await open('#/toolsets')
    await page.getByRole('button', { name: 'New toolset' }).click()
    const form = page.getByRole('form', { name: 'New toolset' })
    await form.getByLabel('Name', { exact: true }).fill('Not a name')
    await form.getByRole('button', { name: 'Create' }).click()
    await form.getByRole('alert').getByText('validation_error').waitFor()

    await form.getByLabel('Name', { exact: true }).fill('docs')
    await form.getByLabel('Everything').check()
    await form.getByRole('button', { name: 'Create' }).click()
    const row = page.getByRole('row').filter({ hasText: 'docs' })
    await row.getByText(`${app.base}/mcp/docs`).waitFor()
    await expect(row.textContent()).resolves.toContain('Everything')
    expect((await app.getJson('/toolsets/docs')).servers).toEqual(['ref'])

    await page.getByRole('button', { name: 'New toolset' }).click()
    await form.getByLabel('Name', { exact: true }).fill('docs')
    await form.getByRole('button', { name: 'Create' }).click()
    await form.getByRole('alert').getByText('toolset_exists').waitFor()
    await form.getByRole('button', { name: 'Cancel' }).click()

    await row.getByRole('button', { name: 'Edit' }).click()
    const edit = page.getByRole('form', { name: 'Edit toolset docs' })
    await edit.getByLabel(/^Tags/).fill('docs, search')
    await edit.getByRole('button', { name: 'Save' }).click()
    await row.getByText('docs, search').waitFor()
    expect((await app.getJson('/toolsets/docs')).tags).toEqual(['docs', 'search'])
    await shot(page, 'toolsets')

    await row.getByRole('button', { name: 'Delete' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click()
    await page.getByText('No toolset yet.').waitFor()
    expect((await app.request('/toolsets/docs')).status).toBe(404)
    await page.context().close()
  }, 30_000)

  test('two servers offering the same tools without prefixes: the 409 tool_name_collision is shown', async () => {
    expect(
      (await app.post('/servers/register', { id: 'ref2', name: 'Twin', url: everything.url })).status,
    ).toBe(201)
    expect((await json(await app.request('/servers/ref2/test', { method: 'POST' }))).status).toBe('healthy')
    try {
      const { page } = await open('#/toolsets')
      await page.getByRole('button', { name: 'New toolset' }).click()
      const form = page.getByRole('form', { name: 'New toolset' })
      await form.getByLabel('Name', { exact: true }).fill('twins')
      await form.getByLabel('Prefix tool names').uncheck()
      await form.getByRole('button', { name: 'Create' }).click()
      await form.getByRole('alert').getByText('tool_name_collision').waitFor()
      expect((await app.request('/toolsets/twins')).status).toBe(404)
      await page.context().close()
    } finally {
      await app.request('/servers/ref2', { method: 'DELETE' })
    }
  }, 30_000)
})

describe('the keys page', () => {
  test('a key is shown once when created, works, and is refused once revoked', async () => {
    const { page } = await open('#/keys')
    const form = page.getByRole('form', { name: 'New key' })
    await form.getByLabel('Name', { exact: true }).fill('laptop')
    await form.getByRole('button', { name: 'Create' }).click()
    const box = page.getByLabel('New API key')
    await box.waitFor()
    const key = await box.inputValue()
    expect(key).toStartWith('amcp_')
    await page.getByText('will not be shown again').waitFor()
    expect((await fetch(`${app.base}/servers`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(
      200,
    )
    const row = page.getByRole('row').filter({ hasText: 'laptop' })
    await row.getByText('active').waitFor()
    await shot(page, 'key-created')

    await page.getByRole('button', { name: 'Done' }).click()
    await box.waitFor({ state: 'detached' })
    const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage }))
    expect(stored).not.toContain(key)
    expect(await page.content()).not.toContain(key)

    await row.getByRole('button', { name: 'Revoke' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click()
    await row.getByText(/^revoked/).waitFor()
    expect((await fetch(`${app.base}/servers`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(
      401,
    )
    await page.context().close()
  }, 30_000)

  test('a read key sees toolsets without write buttons, no keys, and that chat needs an admin key', async () => {
    const readKey = (await json(await app.post('/keys', { name: 'viewer', role: 'read' }))).key as string
    expect((await app.post('/toolsets', { name: 'shown' })).status).toBe(201)
    try {
      const { page } = await open('#/toolsets', readKey)
      await page.getByRole('row').filter({ hasText: 'shown' }).waitFor()
      // Said once the key's role is known: the buttons would be there by then.
      await page.getByText('Read-only:').waitFor()
      for (const name of ['New toolset', 'Edit', 'Delete', 'Create'])
        expect(await page.getByRole('button', { name }).count()).toBe(0)

      await page.goto(`${app.base}/#/keys`)
      await page.getByText('Only an admin key can manage keys').waitFor()
      expect(await page.getByRole('button', { name: 'Create' }).count()).toBe(0)

      await page.goto(`${app.base}/#/chat`)
      await page.getByText('Chat needs an admin key').waitFor()
      await page.context().close()
    } finally {
      await app.request('/toolsets/shown', { method: 'DELETE' })
    }
  }, 30_000)
})
