import { expect, test } from 'bun:test'
import { chmodSync, existsSync, readFileSync, renameSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { openDb } from '../src/db/client'
import { migrate } from '../src/db/migrate'
import { createSecretBox } from '../src/shared/secrets'
import { adminKey, freshDb, startApp } from './helpers/app'
import { healthServer } from './helpers/peers'
import { runCli, startServer, tempDir } from './helpers/process'
import { connectWs } from './helpers/ws'

const secret = 's3cret-token-9f8e7d6c5b4a'

test('a header value reaches the checked server and nothing else: no response, no log, no database byte', async () => {
  const dir = tempDir()
  const dbPath = join(dir, 'secrets.db')
  const plain = healthServer()
  const api = await startApp({ db: freshDb(dbPath) })
  const events = await connectWs(api.ws('/events'))
  const bodies: string[] = []
  const keep = async (res: Response) => {
    bodies.push(await res.text())
    return res
  }
  await keep(
    await api.post('/servers/register', {
      id: 'p',
      name: 'P',
      url: plain.url,
      transport: 'http',
      headers: { Authorization: `Bearer ${secret}` },
    }),
  )
  await keep(await api.request('/servers/p/test', { method: 'POST' }))
  await keep(await api.patch('/servers/p', { tags: ['x'] }))
  for (const path of ['/servers', '/servers/p', '/servers/p/status', '/servers/p/history'])
    await keep(await api.request(path))
  await events.next((m) => m.type === 'server_update')

  expect(plain.seen.at(-1)?.get('authorization')).toBe(`Bearer ${secret}`) // the check sent it
  const server = JSON.parse(bodies[4] as string)
  expect(server.header_names).toEqual(['Authorization'])
  for (const text of [...bodies, JSON.stringify(events.messages), JSON.stringify(api.logs)])
    expect(text).not.toContain(secret)
  events.close()
  await api.stop()

  for (const file of [dbPath, `${dbPath}-wal`]) {
    const bytes = (() => {
      try {
        return readFileSync(file)
      } catch {
        return Buffer.alloc(0)
      }
    })()
    expect(bytes.includes(secret)).toBe(false)
    expect(bytes.includes(Buffer.from(secret).toString('base64'))).toBe(false)
  }
  // The key lives beside the database, readable by its owner only.
  expect(statSync(`${dbPath}.key`).mode & 0o777).toBe(0o600)
  plain.stop()
})

test('headers stored before sealing are sealed at the next start; a wrong key stops start-up', async () => {
  const dbPath = join(tempDir(), 'legacy.db')
  const db = openDb(dbPath)
  migrate(db)
  db.$client.run(
    `INSERT INTO servers (id, name, url, headers, created_at, updated_at) VALUES ('old', 'Old', 'http://127.0.0.1:9', '{"X-Key":"${secret}"}', 0, 0)`,
  )
  db.$client.close()

  const server = await startServer(['--db', dbPath], { AUTOMCP_SECRET_KEY: 'one long random secret' })
  server.proc.kill('SIGTERM')
  await server.proc.exited
  const check = openDb(dbPath)
  const row = check.$client.query("SELECT headers, header_names FROM servers WHERE id = 'old'").get() as {
    headers: string
    header_names: string
  }
  check.$client.close()
  expect(row.headers).toStartWith('v1:')
  expect(row.headers).not.toContain(secret)
  expect(JSON.parse(row.header_names)).toEqual(['X-Key'])

  const wrong = await runCli(['--db', dbPath, '--port', '0'], {
    AUTOMCP_SECRET_KEY: 'another long random secret',
  })
  expect(wrong.code).toBe(2)
  expect(wrong.stderr).toContain('AUTOMCP_SECRET_KEY')
})

test('a lost key file is an error, not a new key; a loose one is reported; sealed values belong to their row', async () => {
  const dir = tempDir()
  const dbPath = join(dir, 'k.db')
  const first = await startServer(['--db', dbPath])
  await fetch(`${first.base}/servers/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
    body: JSON.stringify({ id: 'a', name: 'A', url: 'http://127.0.0.1:9', headers: { 'X-Key': secret } }),
  })
  first.proc.kill('SIGTERM')
  await first.proc.exited

  // Sealed with the id as context: moved to another row, it does not open.
  const box = createSecretBox(Buffer.from(readFileSync(`${dbPath}.key`, 'utf8').trim(), 'base64'))
  const db = openDb(dbPath)
  const { headers } = db.$client.query("SELECT headers FROM servers WHERE id = 'a'").get() as {
    headers: string
  }
  db.$client.close()
  expect(JSON.parse(box.open(headers, 'a'))).toEqual({ 'X-Key': secret })
  expect(() => box.open(headers, 'b')).toThrow()

  chmodSync(`${dbPath}.key`, 0o644)
  const loose = await startServer(['--db', dbPath])
  expect(
    loose.lines.some((l) => l.includes('"level":"warn"') && l.includes('can be read by other users')),
  ).toBe(true)
  loose.proc.kill('SIGTERM')
  await loose.proc.exited

  renameSync(`${dbPath}.key`, `${dbPath}.key.bak`)
  const lost = await runCli(['--db', dbPath, '--port', '0'])
  expect(lost.code).toBe(2)
  expect(lost.stderr).toContain('is missing')
  expect(existsSync(`${dbPath}.key`)).toBe(false) // no new key was made over the lost one
}, 20_000)
