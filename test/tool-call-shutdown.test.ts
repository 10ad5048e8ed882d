// The record of tool calls when AutoMCP stops on a signal: the calls still waiting for their batch
// (written every 100 ms) are written before the database closes.
import { Database } from 'bun:sqlite'
import { afterEach, expect, test } from 'bun:test'
import { join } from 'node:path'
import { adminKey } from './helpers/app'
import { type Everything, startEverything } from './helpers/peers'
import { type ServerProcess, startServer, tempDir } from './helpers/process'
import { waitFor } from './helpers/wait'

let everything: Everything | undefined
let server: ServerProcess | undefined
afterEach(async () => {
  server?.proc.kill('SIGKILL')
  await everything?.stop()
})

test('SIGTERM right after a call: the call is in the database', async () => {
  everything = await startEverything('streamableHttp')
  const db = join(tempDir(), 'automcp.db')
  server = await startServer(['--db', db, '--check-interval', '1'])
  const { base } = server
  const headers = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }
  const post = (path: string, body: unknown) =>
    fetch(base + path, { method: 'POST', headers, body: JSON.stringify(body) })
  expect(
    (await post('/servers/register', { id: 'ev', name: 'Everything', url: everything.url })).status,
  ).toBe(201)
  await waitFor(async () => {
    const res = await fetch(`${base}/servers/ev`, { headers })
    return ((await res.json()) as { status: string }).status === 'healthy'
  }, 20_000)
  const calls = await Promise.all(
    [1, 2, 3].map((n) => post('/servers/ev/tools/echo/call', { arguments: { message: `hi ${n}` } })),
  )
  expect(calls.map((r) => r.status)).toEqual([200, 200, 200])
  server.proc.kill('SIGTERM')
  expect(await server.proc.exited).toBe(0)
  const rows = new Database(db, { readonly: true })
    .query("SELECT count(*) AS n FROM tool_calls WHERE tool = 'echo' AND source = 'direct' AND ok = 1")
    .get()
  expect(rows).toEqual({ n: 3 })
}, 40_000)
