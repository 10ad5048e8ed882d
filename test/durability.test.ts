import { Database } from 'bun:sqlite'
import { expect, test } from 'bun:test'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { json } from './helpers/app'
import { authEnv, authHeaders } from './helpers/auth'
import { type ServerProcess, startServer, tempDir } from './helpers/process'
import { seededRandom, seedFrom } from './helpers/seed'

// The real process, a file database, concurrent writers, SIGKILL at a random moment, a restart on the
// same file: every write the server acknowledged must be there, and the file must be sound. The seed
// fixes when each round's kill comes (DURABILITY_SEED=<seed> replays the schedule).
const seed = seedFrom('DURABILITY_SEED')
const rounds = 4
const clients = 24

type Sent = { id: string; name: string; tags: string[] }

/** What the clients were told, so that what the database holds can be judged against it. */
type Ledger = {
  sent: Set<string>
  /** Registration answered 2xx and no delete sent since: must be present, as sent. */
  acked: Map<string, Sent>
  /** Delete answered 204: must be absent. */
  deleted: Set<string>
  /** Answers a writer did not expect (anything but 201 and 204): the test fails on them. */
  unexpected: string[]
}

/** A port nothing listens on: checks of the registered servers fail at once, without a network. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** One client: registers distinct ids one after another, deleting an older one of its own every fifth. */
async function writer(server: ServerProcess, round: number, n: number, port: number, ledger: Ledger) {
  const headers = { ...authHeaders, 'content-type': 'application/json' }
  const mine: string[] = []
  for (let i = 0; ; i++) {
    const id = `r${round}-c${n}-${i}`
    const sent = { id, name: `Server ${id}`, tags: [`round-${round}`, `client-${n}`] }
    const body = {
      ...sent,
      url: `http://127.0.0.1:${port}/mcp`,
      transport: 'streamable-http',
      headers: { Authorization: `Bearer secret-${id}` },
      interval_s: 3600,
    }
    ledger.sent.add(id)
    let res: Response
    try {
      res = await fetch(`${server.base}/servers/register`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
      })
    } catch {
      return // the process is gone: this registration was never acknowledged
    }
    if (res.status === 201) {
      ledger.acked.set(id, sent)
      mine.push(id)
    } else ledger.unexpected.push(`register ${id}: ${res.status} ${await res.text()}`)

    if (i % 5 === 4 && mine.length > 0) {
      const victim = mine.shift() as string
      ledger.acked.delete(victim) // from here on, present or absent are both right
      try {
        res = await fetch(`${server.base}/servers/${victim}`, { method: 'DELETE', headers: authHeaders })
      } catch {
        return
      }
      if (res.status === 204) ledger.deleted.add(victim)
      else ledger.unexpected.push(`delete ${victim}: ${res.status} ${await res.text()}`)
    }
  }
}

/** Compares the ids and fields a database holds with what the clients were told. */
function expectMatches(
  ledger: Ledger,
  present: Map<string, { name: string; tags: string[] }>,
  where: string,
) {
  const missing = [...ledger.acked.keys()].filter((id) => !present.has(id))
  const resurrected = [...ledger.deleted].filter((id) => present.has(id))
  const unknown = [...present.keys()].filter((id) => !ledger.sent.has(id))
  const altered = [...ledger.acked.values()]
    .filter((s) => present.has(s.id))
    .filter((s) => {
      const got = present.get(s.id)
      return got?.name !== s.name || JSON.stringify(got?.tags) !== JSON.stringify(s.tags)
    })
    .map((s) => s.id)
  expect({ where, seed, missing, resurrected, unknown, altered }).toEqual({
    where,
    seed,
    missing: [],
    resurrected: [],
    unknown: [],
    altered: [],
  })
}

/** The file as the crash left it, opened read-only: `PRAGMA integrity_check` and its rows. */
function inspectFile(path: string) {
  const file = new Database(path, { readonly: true })
  try {
    const integrity = file.query('PRAGMA integrity_check').all()
    const rows = file.query('SELECT id, name, tags FROM servers').all() as {
      id: string
      name: string
      tags: string
    }[]
    return {
      integrity,
      present: new Map(rows.map((r) => [r.id, { name: r.name, tags: JSON.parse(r.tags) }])),
    }
  } finally {
    file.close()
  }
}

/** The server list through the API of a freshly started process. */
async function listed(server: ServerProcess) {
  const res = await fetch(`${server.base}/servers`, { headers: authHeaders })
  expect(res.status).toBe(200)
  const list: { id: string; name: string; tags: string[] }[] = await json(res)
  return new Map(list.map((s) => [s.id, { name: s.name, tags: s.tags }]))
}

test(`acknowledged registrations and deletes survive SIGKILL under load, ${rounds} rounds (DURABILITY_SEED=${seed})`, async () => {
  const random = seededRandom(seed)
  const db = join(tempDir(), 'data', 'automcp.db')
  const port = await closedPort()
  const ledger: Ledger = { sent: new Set(), acked: new Map(), deleted: new Set(), unexpected: [] }
  // The rate limit is off: 24 clients writing as fast as they can are the point here.
  const env = { ...authEnv, AUTOMCP_LOG_LEVEL: 'info', AUTOMCP_RATE_LIMIT: '0' }

  for (let round = 1; round <= rounds; round++) {
    const server = await startServer(['--db', db], env)
    expectMatches(ledger, await listed(server), `after restart ${round - 1}`)

    const ackedBefore = ledger.acked.size + ledger.deleted.size
    const writers = Array.from({ length: clients }, (_, n) => writer(server, round, n, port, ledger))
    // Let the writes get going, then kill at a moment the seed picks.
    const deadline = performance.now() + 5_000
    while (ledger.acked.size + ledger.deleted.size - ackedBefore < 50 && performance.now() < deadline)
      await Bun.sleep(5)
    await Bun.sleep(20 + Math.floor(random() * 600))
    server.proc.kill('SIGKILL')
    await server.proc.exited
    await Promise.all(writers)

    const { integrity, present } = inspectFile(db)
    expect({ round, seed, integrity }).toEqual({ round, seed, integrity: [{ integrity_check: 'ok' }] })
    expectMatches(ledger, present, `file after kill ${round}`)
  }

  const last = await startServer(['--db', db], env)
  expectMatches(ledger, await listed(last), `after restart ${rounds}`)
  last.proc.kill('SIGTERM')
  expect(await last.proc.exited).toBe(0)
  expect(inspectFile(db).integrity).toEqual([{ integrity_check: 'ok' }])
  expect(ledger.unexpected).toEqual([])
  // Enough writes happened for the rounds to mean something.
  expect(ledger.acked.size).toBeGreaterThan(rounds * 40)
}, 30_000)
