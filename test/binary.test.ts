import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { adminKey, json } from './helpers/app'
import { type Binary, binaryAlone } from './helpers/binary'
import { tempDir } from './helpers/process'
import { waitFor } from './helpers/wait'
import { connectWs } from './helpers/ws'

// The compiled binary, built by the build script and run alone from a temporary directory: what ships.
const auth = { authorization: `Bearer ${adminKey}` }
const root = join(import.meta.dir, '..')
let binary: Binary

beforeAll(async () => {
  binary = await binaryAlone()
}, 60_000)
afterAll(() => binary?.cleanup())

describe('the compiled binary, alone in a directory', () => {
  test('serves, registers, documents, pushes events, and exits 0 on SIGTERM within 5 s', async () => {
    const server = await binary.start()
    const health = await fetch(`${server.base}/health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({ status: 'ok' })

    const events = await connectWs(`${server.base.replace('http', 'ws')}/events?token=${adminKey}`)
    const snapshot = await events.next((m) => m.type === 'snapshot')
    expect(snapshot.data).toEqual([])

    const registered = await fetch(`${server.base}/servers/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ name: 'x', url: 'http://127.0.0.1:9/mcp' }),
    })
    expect(registered.status).toBe(201)
    const { server_id: id } = await json(registered)
    const event = await events.next((m) => m.type === 'server_registered')
    expect(event.data).toMatchObject({ id, name: 'x', url: 'http://127.0.0.1:9/mcp', status: 'unknown' })
    // The check runs in the MCP thread (src/mcp-worker.ts), a second entry point compiled into the binary.
    const checked = await events.next(
      (m) => m.type === 'server_update' && m.data.last_checked !== null,
      5_000,
    )
    expect(checked.data).toMatchObject({ id, status_reason: 'connection_refused' })

    // Docker's HEALTHCHECK, under the image's environment (HOST=0.0.0.0, PORT).
    const healthcheck = await binary.run(['healthcheck'], { HOST: '0.0.0.0', PORT: String(server.port) })
    expect(healthcheck.code).toBe(0)

    const doc = await fetch(`${server.base}/openapi/json`)
    expect(doc.status).toBe(200)
    const { paths } = await json(doc)
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(['/health', '/servers/register', '/servers']))

    events.close()
    const t = performance.now()
    server.proc.kill('SIGTERM')
    const exited = await Promise.race([server.proc.exited, Bun.sleep(5_000).then(() => 'still running')])
    expect(exited).toBe(0)
    expect(performance.now() - t).toBeLessThan(5_000)
    expect(server.lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true)
    // Nothing was written beside the binary but the database (and its key file).
    expect(readdirSync(binary.dir).filter((f) => !f.startsWith('x.db'))).toEqual(['automcp'])
  }, 20_000)

  test('serves Swagger UI and its assets from inside itself', async () => {
    const server = await binary.start(['--db', ':memory:'])
    const page = await (await fetch(`${server.base}/swagger`)).text()
    const refs = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string)
    expect(refs).toHaveLength(2)
    for (const ref of refs) {
      expect(ref).toStartWith('/swagger/')
      const asset = await fetch(new URL(ref, server.base))
      expect(asset.status).toBe(200)
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(100_000)
    }
    server.proc.kill('SIGTERM')
    expect(await server.proc.exited).toBe(0)
  })

  // What the Docker images rely on: a command named without a path is found in PATH (node, npx).
  test('starts a stdio server by its command name from PATH, in its own process group, and ends it on SIGTERM', async () => {
    const server = await binary.start(['--db', ':memory:'])
    const memory = join(root, 'node_modules/@modelcontextprotocol/server-memory/dist/index.js')
    const memoryDir = tempDir('automcp-bin-memory-')
    const registered = await fetch(`${server.base}/servers/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({
        name: 'memory',
        transport: 'stdio',
        command: 'node',
        args: [memory],
        env: { MEMORY_FILE_PATH: join(memoryDir, 'memory.jsonl') },
        interval_s: 1,
      }),
    })
    expect(registered.status).toBe(201)
    const { server_id: id } = await json(registered)
    let info: { status: string; process: { pid: number | null } | null } | undefined
    await waitFor(async () => {
      info = await json(await fetch(`${server.base}/servers/${id}`, { headers: auth }))
      return info?.status === 'healthy'
    }, 20_000)
    const pid = info?.process?.pid as number
    expect(readlinkSync(`/proc/${pid}/exe`)).toBe(realpathSync(Bun.which('node') as string))
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const [, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    expect([Number(ppid), Number(pgrp)]).toEqual([server.proc.pid, pid])

    server.proc.kill('SIGTERM')
    expect(await server.proc.exited).toBe(0)
    const alive = () => {
      try {
        process.kill(pid, 0)
        return true
      } catch {
        return false
      }
    }
    await waitFor(() => !alive())
    rmSync(memoryDir, { recursive: true, force: true })
  }, 30_000)

  test('--version, --help and probe usage work without node_modules', async () => {
    const version = await binary.run(['--version'])
    expect(version.code).toBe(0)
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/)

    const help = await binary.run(['--help'])
    expect(help.code).toBe(0)
    for (const word of ['serve', 'migrate', 'healthcheck', 'keys', 'probe', 'AUTOMCP_DB']) {
      expect(help.stdout).toContain(word)
    }

    const noUrl = await binary.run(['probe'])
    expect(noUrl.code).toBe(2)
    expect(noUrl.stderr).toContain('automcp probe <url>')

    const probe = await binary.run(['probe', 'http://127.0.0.1:9/mcp', '--transport', 'streamable-http'])
    expect(probe.code).toBe(1)
    expect(JSON.parse(probe.stdout)).toMatchObject({
      url: 'http://127.0.0.1:9/mcp',
      status: 'unhealthy',
      reason: 'connection_refused',
    })

    const unknown = await binary.run(['--frobnicate'])
    expect(unknown.code).toBe(2)
  })
})
