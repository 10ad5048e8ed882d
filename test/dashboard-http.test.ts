import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { adminKey, json, startApp, type TestApp } from './helpers/app'
import { type Binary, binaryAlone } from './helpers/binary'

// The dashboard's page and assets over HTTP, as a browser fetches them: from source (the bundle is built on
// the first request to `/`) and from the compiled binary (built into it). No key is sent unless said.
const exactCsp =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

/** Every URL the page references (src, href), and the page. */
async function shellOf(base: string) {
  const res = await fetch(`${base}/`)
  const html = await res.text()
  const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string)
  return { res, html, refs }
}

/** What both the source and the binary must do: the page with its headers, and its hashed assets. */
async function checkShell(base: string) {
  const { res, html, refs } = await shellOf(base)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
  expect(res.headers.get('content-security-policy')).toBe(exactCsp)
  expect(res.headers.get('x-content-type-options')).toBe('nosniff')
  expect(res.headers.get('cache-control')).toBe('no-cache')
  expect(html).toContain('<div id="app"></div>')
  // No inline script or style: the CSP would refuse it anyway.
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|style=|<style/i)
  const script = refs.find((r) => /^\/assets\/main-[0-9a-z]+\.js$/.test(r))
  const sheet = refs.find((r) => /^\/assets\/main-[0-9a-z]+\.css$/.test(r))
  expect(script, html).toBeString()
  expect(sheet, html).toBeString()
  for (const ref of refs) {
    expect(ref.startsWith('/'), ref).toBe(true)
    expect(ref).not.toContain(adminKey)
    expect(ref).not.toMatch(/token|key=|amcp_/i)
  }
  for (const ref of [script, sheet] as string[]) {
    const asset = await fetch(base + ref)
    expect(asset.status, ref).toBe(200)
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(asset.headers.get('x-content-type-options')).toBe('nosniff')
    expect(asset.headers.get('content-type')).toBe(
      ref.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
    )
    const body = await asset.text()
    expect(body.length, ref).toBeGreaterThan(0)
    expect(body).not.toContain(adminKey)
  }
  return { script: script as string, sheet: sheet as string }
}

describe('from source', () => {
  let api: TestApp
  let assets: { script: string; sheet: string }
  beforeAll(async () => {
    api = await startApp()
    // The first `/` builds the bundle (bun build, a few seconds on a loaded machine).
    assets = await checkShell(api.base)
  }, 60_000)
  afterAll(() => api?.stop())

  test('GET / without a key: 200 HTML, the exact strict CSP, nosniff, hashed script and style sheet', async () => {
    await checkShell(api.base)
    const csp = exactCsp.split('; ')
    expect(csp).toContain("script-src 'self'")
    expect(exactCsp).not.toContain('unsafe-inline')
    expect(exactCsp).not.toContain('unsafe-eval')
  })

  test('an asset has an ETag; If-None-Match answers 304 with no body', async () => {
    const first = await fetch(api.base + assets.script)
    const etag = first.headers.get('etag')
    expect(etag).toMatch(/^"[0-9a-z]+"$/)
    const again = await fetch(api.base + assets.script, { headers: { 'if-none-match': etag as string } })
    expect(again.status).toBe(304)
    expect(again.headers.get('etag')).toBe(etag)
    expect(await again.text()).toBe('')
    const stale = await fetch(api.base + assets.script, { headers: { 'if-none-match': '"other"' } })
    expect(stale.status).toBe(200)
  })

  test('assets are gzipped for clients that accept it, and plain for the others', async () => {
    for (const ref of [assets.script, assets.sheet]) {
      const plain = await fetch(api.base + ref, { headers: { 'accept-encoding': 'identity' } })
      expect(plain.headers.get('content-encoding')).toBeNull()
      expect(plain.headers.get('vary')).toContain('accept-encoding')
      const text = await plain.text()
      const raw = await fetch(api.base + ref, {
        headers: { 'accept-encoding': 'gzip, deflate, br' },
        decompress: false,
      } as RequestInit)
      expect(raw.headers.get('content-encoding')).toBe('gzip')
      const gz = new Uint8Array(await raw.arrayBuffer())
      expect(new TextDecoder().decode(Bun.gunzipSync(gz))).toBe(text)
    }
  })

  test('an unknown asset is a JSON 404, names every object has included', async () => {
    for (const name of ['nope.js', 'main-0.css', 'constructor', '__proto__']) {
      const res = await fetch(`${api.base}/assets/${name}`)
      expect({ name, status: res.status }).toEqual({ name, status: 404 })
      expect(res.headers.get('content-type')).toStartWith('application/json')
      expect((await json(res)).code).toBe('not_found')
    }
  })

  test('the page and its assets need no key, while the data behind them does', async () => {
    expect((await fetch(`${api.base}/servers`)).status).toBe(401)
    expect((await fetch(`${api.base}/`)).status).toBe(200)
  })
})

describe('from the compiled binary', () => {
  let binary: Binary
  beforeAll(async () => {
    binary = await binaryAlone()
  }, 120_000)
  afterAll(() => binary?.cleanup())

  test('serves the page and its assets from inside itself, and the status page when it is public', async () => {
    const server = await binary.start(['--db', ':memory:'], { AUTOMCP_STATUS_PAGE: 'public' })
    await checkShell(server.base)
    const status = await fetch(`${server.base}/status`)
    expect(status.status).toBe(200)
    expect(status.headers.get('content-security-policy')).toBe(exactCsp)
    const html = await status.text()
    expect(html).toContain('No servers are monitored yet.')
    const sheet = /href="(\/status\/[^"]+\.css)"/.exec(html)?.[1] as string
    expect((await fetch(server.base + sheet)).status).toBe(200)
    server.proc.kill('SIGTERM')
    expect(await server.proc.exited).toBe(0)
  }, 30_000)
})
