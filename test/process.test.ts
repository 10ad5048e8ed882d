import { describe, expect, test } from 'bun:test'
import { chmodSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { adminKey, json, seedServer } from './helpers/app'
import { descendantsOf, runCli, running, startProcess, startServer, tempDir } from './helpers/process'
import { fakeUpstream } from './helpers/upstream'
import { connectWs } from './helpers/ws'

const auth = { authorization: `Bearer ${adminKey}` }

const register = (base: string, body: unknown) =>
  fetch(`${base}/servers/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify(body),
  })

describe('the server process', () => {
  test('keeps registrations across a restart (file database) and stops cleanly on SIGTERM', async () => {
    const db = join(tempDir(), 'data', 'automcp.db')
    const first = await startServer(['--db', db])
    expect((await register(first.base, seedServer('kept'))).status).toBe(201)
    first.proc.kill('SIGTERM')
    expect(await first.proc.exited).toBe(0)
    expect(first.lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true)

    const second = await startServer([], { AUTOMCP_DB: db })
    const list = await json(await fetch(`${second.base}/servers`, { headers: auth }))
    expect(list.map((s: { id: string }) => s.id)).toEqual(['kept'])
    second.proc.kill('SIGINT')
    expect(await second.proc.exited).toBe(0)
  })

  test('an acknowledged registration survives kill -9', async () => {
    const db = join(tempDir(), 'crash.db')
    const server = await startServer(['--db', db])
    const ids = Array.from({ length: 20 }, (_, i) => `s${i}`)
    const acked = await Promise.all(
      ids.map((id) => register(server.base, seedServer(id)).then((r) => r.status)),
    )
    expect(acked.every((s) => s === 201)).toBe(true)
    server.proc.kill('SIGKILL')
    await server.proc.exited

    const again = await startServer(['--db', db])
    const list = await json(await fetch(`${again.base}/servers`, { headers: auth }))
    expect(list.map((s: { id: string }) => s.id).sort()).toEqual([...ids].sort())
    again.proc.kill('SIGTERM')
    await again.proc.exited
  })

  test('finishes an in-flight request before exiting on SIGTERM', async () => {
    const server = await startServer(['--db', ':memory:'])
    // A streamed body keeps the request in flight while the signal arrives.
    const { readable, writable } = new TransformStream<Uint8Array>()
    const pending = fetch(`${server.base}/servers/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: readable,
    })
    await Bun.sleep(100)
    server.proc.kill('SIGTERM')
    await Bun.sleep(100)
    const writer = writable.getWriter()
    await writer.write(new TextEncoder().encode(JSON.stringify(seedServer('late'))))
    await writer.close()
    expect((await pending).status).toBe(201)
    expect(await server.proc.exited).toBe(0)
  })

  test('SIGTERM closes open sockets (1001) and aborts their chats instead of waiting for them', async () => {
    const upstream = fakeUpstream()
    const server = await startServer(['--db', ':memory:'], { AUTOMCP_UPSTREAM_URL: upstream.url })
    const chat = await connectWs(`${server.base.replace('http', 'ws')}/chat?token=${adminKey}`)
    const events = await connectWs(`${server.base.replace('http', 'ws')}/events?token=${adminKey}`)
    const closes = [chat, events].map(
      (c) => new Promise<number>((resolve) => c.ws.addEventListener('close', (e) => resolve(e.code))),
    )
    chat.send({ id: 'long', model: 'slow', messages: [{ role: 'user', content: 'hi' }], stream: true })
    await chat.next((m) => m.type === 'chunk')
    const t = performance.now()
    server.proc.kill('SIGTERM')
    expect(await server.proc.exited).toBe(0)
    expect(performance.now() - t).toBeLessThan(2_000)
    expect(await Promise.all(closes)).toEqual([1001, 1001])
    expect(upstream.seen[0]?.abortedAt).toBeNumber()
    upstream.stop()
  })
})

describe('npm start', () => {
  // The README's way to run it. npm runs the script through `sh -c` and hands a SIGTERM or SIGINT to that
  // shell only: unless the script execs the server, the shell dies and the server runs on, orphaned.
  test.each(['SIGTERM', 'SIGINT'] as const)(
    '%s to the npm process stops the server gracefully; no process of it is left',
    async (signal) => {
      const npm = Bun.which('npm')
      if (!npm) throw new Error('npm is not on PATH')
      const server = await startProcess([npm, 'start'], {
        cwd: join(import.meta.dir, '..'),
        env: {
          ...process.env,
          PORT: '0',
          HOST: '127.0.0.1',
          AUTOMCP_DB: join(tempDir(), 'automcp.db'),
          AUTOMCP_API_KEY: adminKey,
        },
      })
      const below = descendantsOf(server.proc.pid)
      try {
        expect((await fetch(`${server.base}/health`)).status).toBe(200)
        expect(below.length).toBeGreaterThan(0)
        server.proc.kill(signal)
        // npm exits once its script has: by then the server must be gone, its port closed. (A signal
        // that never reaches the server leaves npm waiting: the test fails after 15 s, not at its timeout.)
        const ended = await Promise.race([server.proc.exited, Bun.sleep(15_000).then(() => 'still running')])
        expect(ended).toBe(0)
        expect(below.filter(running)).toEqual([])
        expect(server.lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true)
        await expect(fetch(`${server.base}/health`)).rejects.toThrow()
      } finally {
        for (const pid of [server.proc.pid, ...below].filter(running)) process.kill(pid, 'SIGKILL')
      }
    },
    30_000,
  )
})

describe('start-up errors', () => {
  test.each([
    [['--port', 'abc'], {}, '--port'],
    [[], { PORT: '-1' }, 'PORT'],
    [[], { AUTOMCP_CHECK_INTERVAL: 'soon' }, 'AUTOMCP_CHECK_INTERVAL'],
    [[], { AUTOMCP_LOG_LEVEL: 'chatty' }, 'AUTOMCP_LOG_LEVEL'],
  ] as [string[], Record<string, string>, string][])(
    '%j %j exits 2 with one line naming %s',
    async (args, env, name) => {
      const { code, stderr, stdout } = await runCli(args, env)
      expect(code).toBe(2)
      const lines = stderr.trim().split('\n')
      expect(lines).toHaveLength(1)
      expect(lines[0]).toStartWith('automcp: ')
      expect(lines[0]).toContain(name)
      expect(stderr + stdout).not.toContain('    at ')
    },
  )

  test('a database that cannot be opened exits 2 naming the setting', async () => {
    const dir = tempDir()
    const locked = join(dir, 'locked')
    mkdirSync(locked)
    chmodSync(locked, 0o500)
    const target = process.getuid?.() === 0 ? '/proc/automcp/automcp.db' : join(locked, 'sub', 'x.db')
    const { code, stderr } = await runCli(['--db', target])
    expect(code).toBe(2)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toContain('--db/AUTOMCP_DB')
  })

  test('--help prints every setting and exits 0; --version prints the version', async () => {
    const help = await runCli(['--help'])
    expect(help.code).toBe(0)
    for (const name of [
      '--port',
      'PORT',
      '--db',
      'AUTOMCP_DB',
      'AUTOMCP_UPSTREAM_URL',
      'OPENROUTER_API_KEY',
    ]) {
      expect(help.stdout).toContain(name)
    }
    const version = await runCli(['--version'])
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/)
  })
})

describe('commands', () => {
  test('migrate brings a new database up to date once, then has nothing to do', async () => {
    const db = join(tempDir(), 'm', 'automcp.db')
    const first = await runCli(['migrate', '--db', db])
    expect(first.code).toBe(0)
    const done = JSON.parse(first.stdout.trim())
    expect(done).toMatchObject({ msg: 'migrated', db })
    expect(done.applied).toBeGreaterThan(0)
    const again = JSON.parse((await runCli(['migrate', '--db', db])).stdout.trim())
    expect(again).toMatchObject({ applied: 0, total: done.total })
  })

  test('healthcheck exits 0 against a running instance and 1 when nothing answers', async () => {
    const server = await startServer(['--db', ':memory:'])
    const up = await runCli(['healthcheck', '--port', String(server.port), '--host', '127.0.0.1'])
    expect(up.code).toBe(0)
    expect(up.stdout).toContain('200')
    server.proc.kill('SIGTERM')
    await server.proc.exited
    const down = await runCli(['healthcheck', '--port', String(server.port)])
    expect(down.code).toBe(1)
  })

  test.each([
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['--frobnicate'], 'unknown argument "--frobnicate"'],
  ])('%j exits 2 naming it, then the usage', async (args, what) => {
    const { code, stderr, stdout } = await runCli(args)
    expect(code).toBe(2)
    expect(stderr).toStartWith(`automcp: ${what}\n\nUsage: automcp`)
    expect(stderr).toContain('AUTOMCP_DB')
    expect(stdout).toBe('')
  })
})
