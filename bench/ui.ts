// bench:ui — the dashboard in Chromium with 1,000 registered servers: the time from navigation to the whole
// list on screen, and the longest main-thread task while 100 status updates a second arrive over /events for
// 10 s; and the bundle's sizes. AutoMCP runs in this process (the test harness's app, auth on), so the
// updates are published on its real event hub and reach the page over the real WebSocket.
import { chromium } from 'playwright-core'
import { adminKey, startApp } from '../test/helpers/app'
import { chromiumOptions } from '../test/helpers/chromium'
import { fmt } from './lib'

const servers = Number(process.env.BENCH_UI_SERVERS ?? 1_000)
const updatesPerSecond = Number(process.env.BENCH_UI_RATE ?? 100)
const seconds = Number(process.env.BENCH_UI_SECONDS ?? 10)

const api = await startApp({ config: { maxServers: 100_000 } })
for (let i = 0; i < servers; i++)
  api.services.servers.register({
    id: `s${i}`,
    name: `Server ${i}`,
    url: `http://127.0.0.1:9/mcp/${i}`,
    transport: 'streamable-http',
    tags: [i % 2 ? 'odd' : 'even'],
  })

// The bundle as a browser downloads it (gzip).
const shell = await (await fetch(`${api.base}/`)).text()
const sizes: string[] = []
let jsGzip = 0
for (const [, file] of shell.matchAll(/(?:src|href)="\/assets\/([^"]+)"/g)) {
  const raw = await (
    await fetch(`${api.base}/assets/${file}`, { headers: { 'accept-encoding': 'identity' } })
  ).arrayBuffer()
  const gz = await (
    await fetch(`${api.base}/assets/${file}`, {
      headers: { 'accept-encoding': 'gzip' },
      decompress: false,
    } as RequestInit)
  ).arrayBuffer()
  if (file?.endsWith('.js')) jsGzip += gz.byteLength
  sizes.push(`${file} ${fmt(raw.byteLength / 1024, 1)} KB (${fmt(gz.byteLength / 1024, 1)} KB gzipped)`)
}

const browser = await chromium.launch(await chromiumOptions())
const context = await browser.newContext({ viewport: { width: 1400, height: 900 } })
await context.route('**/*', (route) =>
  new URL(route.request().url()).origin === api.base ? route.continue() : route.abort('blockedbyclient'),
)
// Signed in (the key in sessionStorage), and the page's long tasks and frame gaps recorded from the start.
await context.addInitScript((key: string) => {
  sessionStorage.setItem('automcp.key', key)
  const w = window as unknown as { longest: number; gap: number; frames: number }
  w.longest = 0
  w.gap = 0
  w.frames = 0
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) w.longest = Math.max(w.longest, e.duration)
  }).observe({ type: 'longtask', buffered: true })
  let last = performance.now()
  const frame = (t: number) => {
    w.gap = Math.max(w.gap, t - last)
    w.frames++
    last = t
    requestAnimationFrame(frame)
  }
  requestAnimationFrame(frame)
}, adminKey)
const page = await context.newPage()
await page.goto(`${api.base}/`)
// Rows of the servers' table: the header row and one per server.
const renderedAt = await page.waitForFunction(
  (n: number) => (document.querySelectorAll('.servers tbody tr').length >= n ? performance.now() : false),
  servers,
  { timeout: 60_000, polling: 'raf' },
)
const firstRender = (await renderedAt.jsonValue()) as number

await page.evaluate(() => {
  const w = window as unknown as { longest: number; gap: number; frames: number }
  w.longest = 0
  w.gap = 0
  w.frames = 0
})
const rows = Array.from({ length: servers }, (_, i) => `s${i}`)
const started = performance.now()
let sent = 0
while (performance.now() - started < seconds * 1_000) {
  // 10 updates every 100 ms: each flips a server between healthy and unhealthy.
  for (let k = 0; k < updatesPerSecond / 10; k++) {
    const id = rows[sent % rows.length] as string
    const server = api.services.servers.get(id)
    const down = Math.floor(sent / rows.length) % 2 === 0
    api.services.hub.publish(
      'server_update',
      {
        ...server,
        status: down ? 'unhealthy' : 'healthy',
        status_reason: down ? 'timeout' : null,
        latency_ms: sent % 300,
      },
      { changed: true },
    )
    sent++
  }
  await Bun.sleep(100)
}
const elapsed = (performance.now() - started) / 1000
await Bun.sleep(500)
const during = await page.evaluate(() => {
  const w = window as unknown as { longest: number; gap: number; frames: number }
  return { longest: w.longest, gap: w.gap, frames: w.frames }
})
const unhealthyShown = await page.evaluate(() => document.body.textContent?.match(/unhealthy/g)?.length ?? 0)

const ok = (met: boolean) => (met ? 'met' : 'not met')
console.log(`bench:ui, Chromium (headless), ${fmt(servers)} servers, AutoMCP in this process (auth on)`)
console.log(
  `first render     navigation to ${fmt(servers)} rows on screen: ${fmt(firstRender)} ms (target <= 1,000 ms: ${ok(firstRender <= 1_000)})`,
)
console.log(
  `live updates     ${fmt(sent)} status updates in ${fmt(elapsed, 1)} s (${fmt(sent / elapsed)}/s) over /events: longest main-thread task ${during.longest > 0 ? `${fmt(during.longest)} ms` : 'none over 50 ms'} (target <= 50 ms: ${ok(during.longest <= 50)}); longest frame gap ${fmt(during.gap)} ms over ${fmt(during.frames)} frames; "unhealthy" on screen ${fmt(unhealthyShown)} times at the end`,
)
console.log(
  `bundle           ${sizes.join('; ')}; JavaScript ${fmt(jsGzip / 1024, 1)} KB gzipped (target <= 150 KB: ${ok(jsGzip <= 150 * 1024)})`,
)
await browser.close()
await api.stop()
