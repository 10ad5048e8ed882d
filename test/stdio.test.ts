import { afterAll, describe, expect, test } from 'bun:test'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createMcpSessions, createProber } from '../src/modules/mcp/client'
import type { ProcessEvent } from '../src/modules/mcp/stdio/supervisor'
import { adminKey, startApp, type TestApp } from './helpers/app'
import { startServer, tempDir } from './helpers/process'
import { parse } from './helpers/prometheus'
import { descendants, groupMembers, memoryServer, memoryServerByNpx, running } from './helpers/stdio'
import { waitFor } from './helpers/wait'

const apps: TestApp[] = []
afterAll(async () => {
  await Promise.all(apps.map((a) => a.stop()))
})

async function app(config: Parameters<typeof startApp>[0] = {}) {
  const a = await startApp(config)
  apps.push(a)
  return a
}

const dir = tempDir('automcp-stdio-')
let files = 0
const graphFile = () => join(dir, `graph-${++files}.json`)

type Info = {
  status: string
  status_reason: string | null
  url: string | null
  transport: string
  active_transport: string | null
  command: string | null
  args: string[]
  cwd: string | null
  env_names: string[]
  capabilities: { tools?: { name: string }[] }
  process: { pid: number | null; started_at: number | null; restarts: number; last_exit: unknown } | null
}

const info = (a: TestApp, id: string) => a.getJson(`/servers/${id}`) as Promise<Info>
type CheckResult = {
  success: boolean
  status: string
  status_reason: string | null
  error_message: string | null
}
const check = async (a: TestApp, id: string) =>
  (await (await a.post(`/servers/${id}/test`, {})).json()) as CheckResult

async function register(a: TestApp, id: string, body: Record<string, unknown>) {
  // A machine busy with other tests may take seconds to start Node: the check timeout is not under test.
  const res = await a.post('/servers/register', {
    id,
    name: id,
    failure_threshold: 1,
    timeout_ms: 20_000,
    ...body,
  })
  expect(res.status, await res.clone().text()).toBe(201)
}

describe('stdio servers', () => {
  test('server-memory over stdio: checked over its live session; its program shown, its env never', async () => {
    const a = await app()
    const file = graphFile()
    await register(a, 'memory', memoryServer(file))
    const result = await check(a, 'memory')
    expect(result).toMatchObject({ success: true, status: 'healthy' })
    const server = await info(a, 'memory')
    expect(server).toMatchObject({
      url: null,
      transport: 'stdio',
      active_transport: 'stdio',
      command: 'node',
      cwd: null,
      env_names: ['MEMORY_FILE_PATH'],
    })
    expect(server.args[0]).toEndWith('server-memory/dist/index.js')
    expect(server.capabilities.tools?.map((t) => t.name)).toContain('create_entities')
    expect(server.process).toMatchObject({ restarts: 0, last_exit: null })
    expect(running(server.process?.pid as number)).toBe(true)
    // The environment's values appear nowhere: not in the server, the list, nor the database.
    expect(JSON.stringify(server)).not.toContain(file)
    expect(await (await a.request('/servers')).text()).not.toContain(file)
    const stored = a.db.$client.query("SELECT env FROM servers WHERE id = 'memory'").get() as { env: string }
    expect(stored.env).toStartWith('v1:')
    expect(stored.env).not.toContain(file)
    // Its stderr is kept, and shown only through its logs.
    const logs = (await a.getJson('/servers/memory/logs')) as { time: number; text: string }[]
    expect(logs.map((l) => l.text)).toContain('Knowledge Graph MCP Server running on stdio')
    expect(logs[0]?.time).toBeGreaterThan(Date.now() / 1000 - 60)
    expect(a.logs.some((l) => JSON.stringify(l).includes('Knowledge Graph'))).toBe(false)
    expect(a.logs.filter((l) => l.msg === 'stdio server started')).toHaveLength(1)
  }, 30_000)

  test('its tools are listed and called directly, over the same child', async () => {
    const a = await app()
    const file = graphFile()
    await register(a, 'graph', memoryServer(file))
    const listed = (await a.getJson('/servers/graph/tools')) as {
      data: { name: string; input_schema: { properties?: Record<string, unknown> } }[]
    }
    const create = listed.data.find((t) => t.name === 'create_entities')
    expect(Object.keys(create?.input_schema.properties ?? {})).toEqual(['entities'])
    const entities = [{ name: 'AutoMCP', entityType: 'project', observations: ['supervises stdio servers'] }]
    const created = await a.post('/servers/graph/tools/create_entities/call', { arguments: { entities } })
    expect(created.status).toBe(200)
    expect(await created.json()).toMatchObject({ ok: true, is_error: false })
    const read = await a.post('/servers/graph/tools/read_graph/call', { arguments: {} })
    const graph = (await read.json()) as { content: { text: string }[] }
    expect(graph.content[0]?.text).toContain('supervises stdio servers')
    // The server wrote its graph where its env said: the env reached the child.
    expect(await Bun.file(file).text()).toContain('supervises stdio servers')
    expect((await info(a, 'graph')).process?.restarts).toBe(0)
  }, 30_000)

  test('a child killed with SIGKILL comes back, with its exit on record', async () => {
    const a = await app()
    await register(a, 'comeback', memoryServer(graphFile()))
    await check(a, 'comeback')
    const first = (await info(a, 'comeback')).process?.pid as number
    process.kill(first, 'SIGKILL')
    await waitFor(async () => {
      const p = (await info(a, 'comeback')).process
      return p?.pid != null && p.pid !== first
    }, 10_000)
    const server = await info(a, 'comeback')
    expect(server.process).toMatchObject({ restarts: 1, last_exit: { code: null, signal: 'SIGKILL' } })
    expect(running(first)).toBe(false)
    expect(running(server.process?.pid as number)).toBe(true)
    expect(await check(a, 'comeback')).toMatchObject({ success: true, status: 'healthy' })
    const exit = a.logs.find((l) => l.msg === 'stdio server exited')
    expect(exit).toMatchObject({ server: 'comeback', signal: 'SIGKILL', reason: 'process_exited' })
    const samples = parse(await (await a.request('/metrics')).text())
    const sample = (name: string) => samples.find((s) => s.name === name)
    expect(sample('automcp_stdio_running')?.value).toBe(1)
    expect(sample('automcp_stdio_exits_total')).toMatchObject({
      labels: { reason: 'process_exited' },
      value: 1,
    })
  }, 30_000)

  test('started by npx: deleting the server ends the child and its grandchildren', async () => {
    const a = await app()
    await register(a, 'npx', memoryServerByNpx(graphFile()))
    expect(await check(a, 'npx')).toMatchObject({ success: true, status: 'healthy' })
    const pid = (await info(a, 'npx')).process?.pid as number
    const family = [pid, ...descendants(pid)]
    // npx runs the server as a process of its own: there is a grandchild to reach.
    expect(family.length).toBeGreaterThan(1)
    expect(groupMembers(pid).sort()).toEqual([...family].sort())
    expect((await a.request('/servers/npx', { method: 'DELETE' })).status).toBe(204)
    await waitFor(() => family.every((p) => !running(p)), 10_000)
    expect(groupMembers(pid)).toEqual([])
  }, 30_000)

  test('stopping AutoMCP ends every child, grandchildren included, before stop returns', async () => {
    const a = await startApp()
    await register(a, 'one', memoryServer(graphFile()))
    await register(a, 'two', memoryServerByNpx(graphFile()))
    await Promise.all([check(a, 'one'), check(a, 'two')])
    const pids = await Promise.all(
      ['one', 'two'].map(async (id) => (await info(a, id)).process?.pid as number),
    )
    const family = pids.flatMap((pid) => [pid, ...descendants(pid)])
    expect(family.length).toBeGreaterThan(2)
    expect(family.every(running)).toBe(true)
    await a.stop()
    expect(family.filter(running)).toEqual([])
  }, 30_000)

  test('a command that is not there, or a missing cwd: spawn_failed with the reason', async () => {
    const a = await app()
    await register(a, 'missing', { transport: 'stdio', command: 'automcp-no-such-command' })
    expect(await check(a, 'missing')).toMatchObject({
      success: false,
      status: 'unhealthy',
      status_reason: 'spawn_failed',
    })
    const history = (await a.getJson('/servers/missing/history')) as { data: { error: string }[] }
    expect(history.data[0]?.error).toContain('command "automcp-no-such-command" not found')
    await register(a, 'nocwd', {
      transport: 'stdio',
      command: 'node',
      args: ['-v'],
      cwd: '/automcp/no/such/dir',
    })
    const res = await check(a, 'nocwd')
    expect(res).toMatchObject({ success: false, status_reason: 'spawn_failed' })
    expect(res.error_message).toContain('working directory "/automcp/no/such/dir" does not exist')
    expect((await info(a, 'missing')).process).toMatchObject({ pid: null, last_exit: null })
  }, 30_000)

  test('AUTOMCP_MAX_STDIO: one child more is not started until one ends', async () => {
    const a = await app({ config: { maxStdio: 1 } })
    await register(a, 'first', memoryServer(graphFile()))
    await register(a, 'second', memoryServer(graphFile()))
    expect(await check(a, 'first')).toMatchObject({ status: 'healthy' })
    const refused = await check(a, 'second')
    expect(refused).toMatchObject({ status: 'unhealthy', status_reason: 'stdio_limit' })
    expect(refused.error_message).toContain('AUTOMCP_MAX_STDIO')
    await a.request('/servers/first', { method: 'DELETE' })
    await waitFor(async () => (await check(a, 'second')).status === 'healthy', 10_000)
  }, 30_000)

  test('a server slower to start than its check timeout is not started again by every check', async () => {
    const a = await app()
    const { args, env } = memoryServer(graphFile())
    // It reads nothing for 1.5 s, as a heavy program on a busy machine might; each check gives up at 300 ms.
    const slow = `setTimeout(() => import(${JSON.stringify(args[0])}), 1500)`
    await register(a, 'slow', {
      transport: 'stdio',
      command: 'node',
      args: ['-e', slow],
      env,
      timeout_ms: 300,
    })
    expect(await check(a, 'slow')).toMatchObject({ success: false, status_reason: 'timeout' })
    const pid = (await info(a, 'slow')).process?.pid
    await waitFor(async () => (await check(a, 'slow')).success, 15_000)
    // The child the first check started is the one that answered: no check ended it half-started.
    expect((await info(a, 'slow')).process).toMatchObject({ pid, restarts: 0 })
    expect(a.logs.filter((l) => l.msg === 'stdio server started')).toHaveLength(1)
  }, 30_000)

  test('a PATH in env reaches the program but does not choose it; env values are blanked in its logs', async () => {
    const a = await app({ config: { stdioCommands: ['node'] } })
    const bin = tempDir('automcp-fakebin-')
    const marker = join(bin, 'ran')
    writeFileSync(join(bin, 'node'), `#!/bin/sh\ntouch ${marker}\nexit 1\n`, { mode: 0o755 })
    const secret = 's3cret-token-value'
    const script = `console.error("token is ${secret}"); import(${JSON.stringify(memoryServer('x').args[0])})`
    await register(a, 'pathed', {
      transport: 'stdio',
      command: 'node',
      args: ['-e', script],
      env: { PATH: `${bin}:${process.env.PATH}`, API_TOKEN: secret, MEMORY_FILE_PATH: graphFile() },
    })
    expect(await check(a, 'pathed')).toMatchObject({ success: true })
    expect(existsSync(marker)).toBe(false)
    const logs = await (await a.request('/servers/pathed/logs')).text()
    expect(logs).toContain('token is ***')
    expect(logs).not.toContain(secret)
  }, 30_000)

  test('a child whose daemon keeps stderr open: its exit is still seen, and its slot freed', async () => {
    const a = await app({ config: { maxStdio: 1 } })
    const pidFile = join(tempDir('automcp-daemon-'), 'pid')
    // The grandchild leaves the process group (setsid) with stderr open: nothing of AutoMCP's reaches it.
    const script = `setsid sh -c 'echo $$ > ${pidFile}; exec sleep 1000' & sleep 0.2; echo bye >&2; exit 3`
    await register(a, 'daemon', {
      transport: 'stdio',
      command: 'sh',
      args: ['-c', script],
      timeout_ms: 5_000,
    })
    try {
      const first = await check(a, 'daemon')
      expect(first).toMatchObject({ success: false, status_reason: 'process_exited' })
      expect(first.error_message).toContain('exited with code 3: bye')
      await a.request('/servers/daemon', { method: 'DELETE' })
      await register(a, 'after', memoryServer(graphFile()))
      expect(await check(a, 'after')).toMatchObject({ success: true })
    } finally {
      const daemon = Number(readFileSync(pidFile, 'utf8'))
      if (daemon > 0) process.kill(daemon, 'SIGKILL')
    }
  }, 30_000)

  test('a child that stops answering (SIGSTOP) is ended after three checks in a row time out, then started anew', async () => {
    const a = await app()
    await register(a, 'frozen', { ...memoryServer(graphFile()), timeout_ms: 500 })
    // Node may take longer than a check to start on a busy machine: its start-up goes on meanwhile.
    await waitFor(async () => (await check(a, 'frozen')).success, 20_000)
    const pid = (await info(a, 'frozen')).process?.pid as number
    process.kill(pid, 'SIGSTOP')
    try {
      for (let i = 0; i < 3; i++) expect(await check(a, 'frozen')).toMatchObject({ status_reason: 'timeout' })
      await waitFor(async () => (await check(a, 'frozen')).success, 20_000)
      expect(running(pid)).toBe(false)
      expect((await info(a, 'frozen')).process).toMatchObject({ restarts: 1 })
      expect((await info(a, 'frozen')).process?.pid).not.toBe(pid)
    } finally {
      if (running(pid)) process.kill(pid, 'SIGKILL')
    }
  }, 40_000)

  test('a changed program replaces the child; a move to a URL ends it', async () => {
    const a = await app()
    await register(a, 'changing', memoryServer(graphFile()))
    await check(a, 'changing')
    const first = (await info(a, 'changing')).process?.pid as number
    const patched = await a.patch('/servers/changing', { env: { MEMORY_FILE_PATH: graphFile() } })
    expect(patched.status).toBe(200)
    expect(await patched.json()).toMatchObject({ status: 'unknown', process: { pid: null, restarts: 0 } })
    await check(a, 'changing')
    const second = (await info(a, 'changing')).process?.pid as number
    expect(second).not.toBe(first)
    await waitFor(() => !running(first), 10_000)
    const moved = await a.patch('/servers/changing', { transport: 'sse', url: 'http://127.0.0.1:9/sse' })
    expect(await moved.json()).toMatchObject({ command: null, args: [], env_names: [], process: null })
    await waitFor(() => !running(second), 10_000)
  }, 30_000)
})

describe('registering stdio servers', () => {
  test('a stdio server needs a command and takes no url; other servers take no program', async () => {
    const a = await app()
    const cases: [Record<string, unknown>, string][] = [
      [{ transport: 'stdio' }, 'body field "command" is required for a stdio server'],
      [{ transport: 'stdio', command: 'npx', url: 'http://127.0.0.1:1/mcp' }, 'body field "url" is not used'],
      [{ url: 'http://127.0.0.1:1/mcp', command: 'npx' }, 'body field "command" is only for stdio servers'],
      [{ url: 'http://127.0.0.1:1/mcp', env: { A: 'b' } }, 'body field "env" is only for stdio servers'],
      [{ transport: 'stdio', command: 'npx', env: { 'NOT A NAME': 'x' } }, 'body field "env.NOT A NAME"'],
      [{ url: 'http://127.0.0.1:1/mcp', headers: { 'Bad\r\nName': 'x' } }, 'body field "headers.Bad'],
      [
        { transport: 'stdio', command: 'npx', cwd: 'relative/dir' },
        'body field "cwd" must be an absolute path',
      ],
    ]
    for (const [body, detail] of cases) {
      const res = await a.post('/servers/register', { name: 'x', ...body })
      expect(res.status, JSON.stringify(body)).toBe(422)
      const error = (await res.json()) as { code: string; detail: string }
      expect(error.code).toBe('validation_error')
      expect(error.detail).toContain(detail)
    }
    // A body read from GET /servers goes back as it is.
    await register(a, 'round', { url: 'http://127.0.0.1:1/mcp' })
    const back = await a.post('/servers/register', await info(a, 'round'))
    expect(back.status).toBe(200)
  }, 30_000)

  test('AUTOMCP_STDIO=off, and AUTOMCP_AUTH=off on its own, refuse them: 422 stdio_disabled', async () => {
    const body = { name: 'x', transport: 'stdio', command: 'npx' }
    for (const config of [{ stdio: 'off' as const }, { auth: 'off' as const }]) {
      const a = await app({ config })
      const res = await a.post('/servers/register', body)
      expect(res.status).toBe(422)
      expect(((await res.json()) as { code: string }).code).toBe('stdio_disabled')
    }
    const allowed = await app({ config: { auth: 'off', stdio: 'on' } })
    expect((await allowed.post('/servers/register', body)).status).toBe(201)
  }, 30_000)

  test('AUTOMCP_STDIO_COMMANDS: only the listed commands; 422 command_not_allowed', async () => {
    const a = await app({ config: { stdioCommands: ['npx', '/usr/bin/env'] } })
    for (const command of ['node', '/tmp/npx', 'env']) {
      const res = await a.post('/servers/register', { name: 'x', transport: 'stdio', command })
      expect(res.status, command).toBe(422)
      expect(await res.json()).toMatchObject({ code: 'command_not_allowed' })
    }
    for (const command of ['npx', '/usr/bin/env'])
      expect((await a.post('/servers/register', { name: 'x', transport: 'stdio', command })).status).toBe(201)
  }, 30_000)

  test('logs: read keys may read them; a network server has none (409)', async () => {
    const a = await app()
    await register(a, 'net', { url: 'http://127.0.0.1:1/mcp' })
    const res = await a.request('/servers/net/logs')
    expect(res.status).toBe(409)
    expect(((await res.json()) as { code: string }).code).toBe('not_a_stdio_server')
    await register(a, 'chatty', {
      transport: 'stdio',
      command: 'node',
      args: ['-e', 'for (let i = 0; i < 5; i++) console.error("line " + i); process.exit(1)'],
    })
    await check(a, 'chatty')
    const { key: read } = a.services.keys.create('reader', 'read')
    const logs = await fetch(`${a.base}/servers/chatty/logs?limit=2`, {
      headers: { authorization: `Bearer ${read}` },
    })
    expect(logs.status).toBe(200)
    expect(((await logs.json()) as { text: string }[]).map((l) => l.text)).toEqual(['line 3', 'line 4'])
    expect((await a.request('/servers/chatty/logs?limit=0')).status).toBe(422)
    expect((await a.request('/servers/nope/logs')).status).toBe(404)
  }, 30_000)
})

describe('the supervisor', () => {
  test('a child that keeps exiting: process_exited with its code and last words, then crash_loop', async () => {
    const events: ProcessEvent[] = []
    const sessions = createMcpSessions({
      stdio: {
        enabled: true,
        commands: [],
        maxChildren: 4,
        restartPolicy: {
          firstDelayMs: 10,
          maxDelayMs: 40,
          resetAfterMs: 60_000,
          loopExits: 5,
          loopWindowMs: 60_000,
        },
      },
      onProcess: (e) => events.push(e),
    })
    const probe = createProber({ sessions, slowMs: 1_000 })
    const target = {
      id: 'crashing',
      url: '',
      headers: {},
      transport: 'stdio' as const,
      generation: 1,
      stdio: {
        command: 'node',
        args: ['-e', 'console.error("bad config"); process.exit(3)'],
        env: {},
        cwd: null,
      },
      timeoutMs: 5_000,
    }
    try {
      const first = await probe(target)
      expect(first.reason).toBe('process_exited')
      expect(first.error).toContain('the process exited with code 3: bad config')
      const exits = () => events.filter((e) => e.type === 'exited')
      await waitFor(() => exits().length >= 5, 10_000)
      const later = await probe(target)
      expect(later.reason).toBe('crash_loop')
      expect(later.error).toContain('crash loop')
      expect(exits().every((e) => e.type === 'exited' && e.exit.code === 3 && e.crash !== null)).toBe(true)
      const restarts = events.filter((e) => e.type === 'started').map((e) => e.restarts)
      expect(restarts.slice(0, 4)).toEqual([0, 1, 2, 3])
    } finally {
      await sessions.closeAll()
    }
    // Nothing is started again once the sessions are closed.
    const after = events.length
    await Bun.sleep(200)
    expect(events.length).toBe(after)
    expect(sessions.children).toBe(0)
  }, 30_000)
})

describe('after AutoMCP is killed', () => {
  test('the next start ends the children the killed run left', async () => {
    const db = join(tempDir('automcp-orphans-'), 'a.db')
    const first = await startServer(['--db', db])
    const headers = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }
    // A program that outlives its stdin: the shell stays (running sleep) after node ends with stdin.
    const { args, env } = memoryServer(graphFile())
    const script = `trap '' TERM; node ${args[0]}; sleep 1000`
    const res = await fetch(`${first.base}/servers/register`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        id: 'stubborn',
        name: 's',
        transport: 'stdio',
        command: 'sh',
        args: ['-c', script],
        env,
      }),
    })
    expect(res.status).toBe(201)
    let pid = 0
    await waitFor(async () => {
      const s = await (await fetch(`${first.base}/servers/stubborn`, { headers })).json()
      pid = (s as Info).process?.pid ?? 0
      return pid > 0
    }, 10_000)
    first.proc.kill('SIGKILL')
    await first.proc.exited
    await Bun.sleep(300)
    // What the test is about: the killed run could not end it.
    expect(running(pid)).toBe(true)
    const second = await startServer(['--db', db])
    try {
      await waitFor(() => groupMembers(pid).length === 0, 10_000)
      await waitFor(() =>
        second.lines.some((l) => l.includes('ended stdio servers a previous run left running')),
      )
    } finally {
      second.proc.kill('SIGTERM')
      await second.proc.exited
    }
  }, 30_000)
})
