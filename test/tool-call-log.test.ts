import { describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { openDb } from '../src/db/client'
import { migrate } from '../src/db/migrate'
import { servers, toolCalls } from '../src/db/schema'
import { createToolCallLog } from '../src/modules/tools/call-log'
import { createToolCallRepository } from '../src/modules/tools/repository'
import { createLogger } from '../src/shared/logger'
import { tempDir } from './helpers/process'

function setup() {
  const db = openDb(join(tempDir(), 'calls.db'))
  migrate(db)
  for (const id of ['a', 'b'])
    db.insert(servers)
      .values({ id, name: id, url: `http://127.0.0.1/${id}`, createdAt: 1, updatedAt: 1 })
      .run()
  const lines: string[] = []
  const log = createToolCallLog(
    createToolCallRepository(db),
    createLogger('debug', (line) => void lines.push(line)),
  )
  const call = (serverId: string, calledAt: number) => ({
    serverId,
    tool: 'echo',
    source: 'gateway' as const,
    ok: true,
    latencyMs: 1,
    error: null,
    calledAt,
  })
  return { db, log, call, lines, rows: () => db.select().from(toolCalls).all() }
}

describe('the record of tool calls, written in batches', () => {
  test('a call waits for its batch; counts and prune write the waiting calls first', () => {
    const { log, call, rows } = setup()
    log.record(call('a', 1_000))
    log.record(call('a', 2_000))
    expect(rows()).toHaveLength(0)
    expect(log.counts('a', 0).calls).toBe(2)
    expect(rows()).toHaveLength(2)
    log.record(call('a', 500))
    expect(log.prune(1_500)).toBe(2)
    expect(rows().map((r) => r.calledAt)).toEqual([2_000])
    log.flush()
  })

  test('a call to a server removed meanwhile is refused alone: the rest of its batch is written', () => {
    const { db, log, call, rows, lines } = setup()
    log.record(call('a', 1))
    log.record(call('gone', 2))
    log.record(call('b', 3))
    log.flush()
    expect(rows().map((r) => r.serverId)).toEqual(['a', 'b'])
    expect(
      lines.filter((l) => l.includes('their server was removed')).map((l) => JSON.parse(l).count),
    ).toEqual([1])
    // The transaction was committed: a second connection to the file sees the rows.
    const other = openDb(db.$client.filename)
    expect(other.select().from(toolCalls).all()).toHaveLength(2)
  })

  test('the batch is written without a read, once its interval has passed', async () => {
    const { log, call, rows } = setup()
    log.record(call('b', 1))
    // No timing is asserted: only that the timer, not a read, wrote it.
    for (let i = 0; i < 100 && rows().length === 0; i++) await Bun.sleep(20)
    expect(rows().map((r) => r.serverId)).toEqual(['b'])
  })
})
