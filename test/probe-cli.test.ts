import { afterAll, beforeAll, expect, test } from 'bun:test'
import { join } from 'node:path'
import { blackHole, type Everything, startEverything } from './helpers/peers'
import { run, runCli, tempDir } from './helpers/process'

let streamable: Everything
beforeAll(async () => {
  streamable = await startEverything('streamableHttp')
})
afterAll(() => streamable.stop())

test('probe checks one server with the monitor check and says so in JSON and its exit status', async () => {
  const ok = await runCli(['probe', streamable.url])
  expect(ok.code).toBe(0)
  const found = JSON.parse(ok.stdout)
  expect(found).toMatchObject({
    url: streamable.url,
    transport: 'streamable-http',
    status: 'healthy',
    reason: null,
  })
  expect(found.capabilities.tools.map((t: { name: string }) => t.name)).toContain('echo')
  const sessions = streamable.openSessions()
  expect(sessions.opened).toBeGreaterThan(0)
  expect(sessions.closed).toBe(sessions.opened) // it closed the session it opened

  const hole = await blackHole()
  const timeout = await runCli(['probe', hole.url, '--transport', 'http'], { AUTOMCP_CHECK_TIMEOUT: '300' })
  expect(timeout.code).toBe(1)
  expect(JSON.parse(timeout.stdout)).toMatchObject({ status: 'unhealthy', reason: 'timeout' })
  hole.stop()

  const blocked = await runCli(['probe', 'http://169.254.169.254/'])
  expect(blocked.code).toBe(1)
  expect(JSON.parse(blocked.stdout).reason).toBe('blocked')

  for (const bad of [
    ['probe'],
    ['probe', 'ftp://x'],
    ['probe', streamable.url, '--transport', 'carrier-pigeon'],
  ]) {
    const res = await runCli(bad)
    expect(res.code).toBe(2)
    expect(res.stderr).toStartWith('automcp: ')
  }
}, 20_000)

test('probe refuses the URLs registration refuses: user:password@, a port outside 1-65535 (#12)', async () => {
  for (const [url, why] of [
    ['http://user:pw@127.0.0.1:9/mcp', 'user name or password'],
    ['http://127.0.0.1:0/mcp', 'port from 1 to 65535'],
  ] as const) {
    const res = await runCli(['probe', url])
    expect({ url, code: res.code }).toEqual({ url, code: 2 })
    expect(res.stderr).toContain(why)
  }
})

test('probe passes the MCP conformance suite as a client (initialize)', async () => {
  const suite = join(import.meta.dir, '..', 'node_modules/@modelcontextprotocol/conformance/dist/index.js')
  const automcp = `${process.execPath} ${join(import.meta.dir, '..', 'src/main.ts')} probe`
  // The suite needs a newer Node than this machine's: it runs under Bun.
  const {
    stdout: out,
    stderr: err,
    code,
  } = await run([process.execPath, suite, 'client', '--command', automcp, '--scenario', 'initialize'])
  expect(code, out + err).toBe(0)
  expect(out + err).toContain('OVERALL: PASSED')
}, 60_000)

test('probe -- <command> starts a stdio server, checks it, and ends it (#14)', async () => {
  const memory = join(
    import.meta.dir,
    '..',
    'node_modules',
    '@modelcontextprotocol',
    'server-memory',
    'dist',
    'index.js',
  )
  const dir = tempDir('automcp-probe-')
  const ok = await runCli([
    'probe',
    '--env',
    `MEMORY_FILE_PATH=${join(dir, 'graph.json')}`,
    '--',
    'node',
    memory,
  ])
  expect(ok.code).toBe(0)
  const found = JSON.parse(ok.stdout)
  expect(found).toMatchObject({ command: ['node', memory], transport: 'stdio', status: 'healthy' })
  expect(found.capabilities.tools.map((t: { name: string }) => t.name)).toContain('read_graph')

  const failing = await runCli([
    'probe',
    '--',
    'node',
    '-e',
    'console.error("no config given"); process.exit(2)',
  ])
  expect(failing.code).toBe(1)
  expect(JSON.parse(failing.stdout)).toMatchObject({
    status: 'unhealthy',
    reason: 'process_exited',
    error: 'the process exited with code 2: no config given',
  })
  expect(failing.stderr).toContain('no config given')

  const missing = await runCli(['probe', '--', 'automcp-no-such-command'])
  expect(JSON.parse(missing.stdout)).toMatchObject({ reason: 'spawn_failed' })
  expect((await runCli(['probe', '--env', 'NOEQUALS', '--', 'node'])).code).toBe(2)
}, 30_000)
