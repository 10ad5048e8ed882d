import { describe, expect, test } from 'bun:test'
import { randomBytes } from 'node:crypto'
import { createServerRepository, type ServerSettings } from '../src/modules/servers/repository'
import { createTargetCache } from '../src/modules/servers/target'
import { createSecretBox } from '../src/shared/secrets'
import { freshDb } from './helpers/app'

const settings = (url: string, token: string): ServerSettings => ({
  name: 'S',
  url,
  transport: 'streamable-http',
  headers: { Authorization: `Bearer ${token}` },
  intervalS: null,
  timeoutMs: null,
  failureThreshold: null,
  successThreshold: null,
  tags: [],
})

function setup() {
  const repo = createServerRepository(freshDb(), createSecretBox(randomBytes(32)))
  let reads = 0
  // The real repository, its row reads counted.
  const counted = {
    ...repo,
    get: (id: string) => {
      reads++
      return repo.get(id)
    },
  }
  return { repo, targets: createTargetCache(counted), reads: () => reads }
}

describe("a server's target kept between calls", () => {
  test('read once while its row is not written; rebuilt, with its new secrets, once it is', () => {
    const { repo, targets, reads } = setup()
    repo.upsert('a', settings('http://127.0.0.1:1/mcp', 'one'), 1)
    const first = targets('a')
    expect(first?.target).toMatchObject({
      url: 'http://127.0.0.1:1/mcp',
      headers: { Authorization: 'Bearer one' },
    })
    expect(targets('a')).toBe(first)
    expect(reads()).toBe(1)
    repo.upsert('a', settings('http://127.0.0.1:2/mcp', 'two'), 2)
    expect(targets('a')?.target).toMatchObject({
      url: 'http://127.0.0.1:2/mcp',
      headers: { Authorization: 'Bearer two' },
    })
    expect(reads()).toBe(2)
  })

  test('a check that writes the row renews it; a removed server has none, and one registered again its new one', () => {
    const { repo, targets } = setup()
    repo.upsert('a', settings('http://127.0.0.1:1/mcp', 'one'), 1)
    const first = targets('a')
    const generation = first?.row.generation as number
    repo.saveCheckState('a', { generation, status: 'healthy', reason: null, latencyMs: 3, checkedAt: 5 })
    const checked = targets('a')
    expect(checked).not.toBe(first)
    expect(checked?.row.status).toBe('healthy')
    repo.remove('a')
    expect(targets('a')).toBeUndefined()
    repo.upsert('a', settings('http://127.0.0.1:3/mcp', 'three'), 6)
    expect(targets('a')?.target).toMatchObject({
      url: 'http://127.0.0.1:3/mcp',
      headers: { Authorization: 'Bearer three' },
    })
  })
})
