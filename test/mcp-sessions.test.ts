// The session cache driven directly, with callers racing each other: however many ask at once, a server
// gets one session, and a server removed while its session opens keeps none.
import { afterAll, afterEach, beforeAll, expect, test } from 'bun:test'
import type { McpSessions } from '../src/modules/mcp'
import { createMcpSessions } from '../src/modules/mcp/client'
import { fakeMcp } from './helpers/fake-mcp'
import { fakeSseMcp } from './helpers/fake-sse-mcp'
import { type Everything, startEverything } from './helpers/peers'

let everything: Everything
beforeAll(async () => {
  everything = await startEverything('streamableHttp')
})
afterAll(() => everything.stop())

let cleanups: (() => unknown)[] = []
afterEach(async () => {
  // Last in, first out: sessions close while their server still answers.
  for (const cleanup of cleanups.reverse()) await cleanup()
  cleanups = []
})

function sessionsFor(url: string) {
  const sessions = createMcpSessions()
  cleanups.push(() => sessions.closeAll())
  return { sessions, target: { id: 's', url, transport: 'streamable-http' as const, headers: {} } }
}

async function fake(initDelayMs = 0) {
  const mcp = await fakeMcp({ initDelayMs })
  cleanups.push(mcp.stop)
  return mcp
}

const never = () => new AbortController().signal
const echo = (sessions: McpSessions, target: ReturnType<typeof sessionsFor>['target'], signal = never()) =>
  sessions.callTool(target, 'echo', { message: 'hi' }, signal)

async function waitFor(condition: () => boolean, timeoutMs = 3_000) {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await Bun.sleep(10)
  }
}

test('checks, listings and calls that race on a new server share one session', async () => {
  const before = everything.openSessions()
  const { sessions, target } = sessionsFor(everything.url)
  const [check, tools, ...calls] = await Promise.all([
    sessions.check(target, never()),
    sessions.tools(target, never()),
    ...[1, 2, 3, 4].map(() => echo(sessions, target)),
  ])
  expect(check.status).toBe('healthy')
  // This check opened the session: its handshake is timed apart from its ping.
  expect(check).toMatchObject({ opened: true })
  expect(check.handshakeMs).toBeGreaterThan(0)
  expect(check.latencyMs).toBeGreaterThan(0)
  expect(tools.map((t) => t.name)).toContain('echo')
  expect(calls.every((c) => c.ok)).toBe(true)
  expect(everything.openSessions().opened - before.opened).toBe(1)
  expect(sessions.size).toBe(1)
  await sessions.closeAll()
  await waitFor(() => everything.openSessions().closed - before.closed === 1)
})

test('calls that all find their session forgotten (404) open one new session, and none is left over', async () => {
  const mcp = await fake()
  const { sessions, target } = sessionsFor(mcp.url)
  await echo(sessions, target)
  mcp.forget()
  const calls = await Promise.all([1, 2, 3, 4].map(() => echo(sessions, target)))
  expect(calls.every((c) => c.ok)).toBe(true)
  expect(mcp.stats.initialized).toBe(2)
  expect(mcp.stats.live.size).toBe(1)
  expect(sessions.size).toBe(1)
  await sessions.closeAll()
  expect(mcp.stats.live.size).toBe(0)
})

test('an SSE session whose POSTs answer 404 (forgotten, the stream still open) is opened again, once (#14)', async () => {
  const mcp = await fakeSseMcp()
  cleanups.push(mcp.stop)
  const { sessions } = sessionsFor(mcp.url)
  const target = { id: 's', url: mcp.url, transport: 'sse' as const, headers: {} }
  const first = await sessions.check(target, never())
  expect(first).toMatchObject({ status: 'healthy', opened: true })
  expect((await sessions.check(target, never())).opened).toBe(false)
  mcp.forget()
  expect(await sessions.check(target, never())).toMatchObject({ status: 'healthy', opened: true })
  expect(mcp.stats.initialized).toBe(2)
  expect(sessions.size).toBe(1)
})

test('a server removed while its first session opens keeps no session: the call fails, the session is closed', async () => {
  const mcp = await fake(300)
  const { sessions, target } = sessionsFor(mcp.url)
  const call = echo(sessions, target)
  await waitFor(() => mcp.stats.initialized === 1)
  await sessions.close(target.id)
  await expect(call).rejects.toThrow('the server was removed')
  expect(sessions.size).toBe(0)
  expect(mcp.stats.live.size).toBe(0)
})

test('a server removed while a forgotten session is opened again keeps no session', async () => {
  const mcp = await fake(300)
  const { sessions, target } = sessionsFor(mcp.url)
  await echo(sessions, target)
  mcp.forget()
  const call = echo(sessions, target)
  await waitFor(() => mcp.stats.initialized === 2)
  await sessions.close(target.id)
  await expect(call).rejects.toThrow('the server was removed')
  expect(sessions.size).toBe(0)
  expect(mcp.stats.live.size).toBe(0)
})

test('the caller that started an open giving up does not fail the others waiting on it', async () => {
  const mcp = await fake(300)
  const { sessions, target } = sessionsFor(mcp.url)
  const first = new AbortController()
  const impatient = echo(sessions, target, first.signal)
  const patient = echo(sessions, target)
  await waitFor(() => mcp.stats.initialized > 0)
  first.abort(new Error('gave up'))
  await expect(impatient).rejects.toThrow('gave up')
  expect((await patient).ok).toBe(true)
  expect(mcp.stats.initialized).toBe(1)
  expect(sessions.size).toBe(1)
})

test('an open every caller gave up on stores nothing, and the next call opens a session of its own', async () => {
  const mcp = await fake(300)
  const { sessions, target } = sessionsFor(mcp.url)
  const giveUp = new AbortController()
  const calls = [1, 2].map(() => echo(sessions, target, giveUp.signal))
  await waitFor(() => mcp.stats.initialized > 0)
  giveUp.abort(new Error('gave up'))
  const settled = await Promise.allSettled(calls)
  for (const s of settled) expect(s.status === 'rejected' && String(s.reason)).toContain('gave up')
  expect(sessions.size).toBe(0)
  expect((await echo(sessions, target)).ok).toBe(true)
  expect(sessions.size).toBe(1)
})
