import { expect, test } from 'bun:test'
import type { ServerRow } from '../../db/schema'
import { nameTools, offersTools, pickTools, ToolSelectionError, usableTools } from './selection'

const row = (id: string, name: string, tools: string[] = []) =>
  ({ id, name, capabilities: { tools: tools.map((t) => ({ name: t })) } }) as unknown as ServerRow
const tool = (name: string, inputSchema: Record<string, unknown> = { type: 'object' }) => ({
  name,
  inputSchema,
})

test('only healthy servers and those degraded for being slow offer tools', () => {
  expect(offersTools({ status: 'healthy', statusReason: null })).toBe(true)
  expect(offersTools({ status: 'degraded', statusReason: 'slow' })).toBe(true)
  expect(offersTools({ status: 'degraded', statusReason: 'auth_required' })).toBe(false)
  expect(offersTools({ status: 'unhealthy', statusReason: 'timeout' })).toBe(false)
  expect(offersTools({ status: 'unknown', statusReason: null })).toBe(false)
})

test('a tool listed twice is offered once; a schema over 64 KB is left out and reported', () => {
  const dropped: string[] = []
  const big = { type: 'object', description: 'x'.repeat(70_000) }
  const kept = usableTools([tool('a'), tool('a'), tool('huge', big), tool('b')], (t) => dropped.push(t))
  expect(kept.map((t) => t.name)).toEqual(['a', 'b'])
  expect(dropped).toEqual(['huge'])
})

test('names come from every server, so a tool keeps its name whichever servers are listed', () => {
  const one = row('one', 'Files', ['read'])
  const two = row('two', 'Files', ['read'])
  const both = nameTools(
    [one, two],
    [
      { row: one, tools: [tool('read')] },
      { row: two, tools: [tool('read')] },
    ],
  )
  const onlyTwo = nameTools([one, two], [{ row: two, tools: [tool('read')] }])
  expect(both.map((e) => e.name)).toEqual(['Files__read', expect.stringMatching(/^Files__read_[0-9a-f]{6}$/)])
  expect(onlyTwo[0]?.name).toBe(both[1]?.name as string)
})

test('a selection picks by function name or tool name, and refuses a list of more than maxTools', () => {
  const named = nameTools([row('s', 'S')], [{ row: row('s', 'S'), tools: [tool('a'), tool('b'), tool('c')] }])
  expect(pickTools(named, ['S__a', 'c'], 10).entries.map((e) => e.tool)).toEqual(['a', 'c'])
  const all = pickTools(named, 'auto', 3)
  expect(all.definitions[0]).toEqual({
    type: 'function',
    function: { name: 'S__a', parameters: { type: 'object' } },
  })
  expect(all.byName.get('S__b')?.tool).toBe('b')
  expect(all.discovery).toBeUndefined()
  expect(() => pickTools(named, ['a', 'b', 'c'], 2)).toThrow(ToolSelectionError)
})

test('"discover", or "auto" over maxTools, offers search_tools and call_tool over every tool', () => {
  const server = { ...row('s', 'S'), status: 'healthy', latencyMs: 4 } as ServerRow
  const named = nameTools([server], [{ row: server, tools: [tool('read_file'), tool('echo')] }])
  expect(named[0]).toMatchObject({ healthy: true, latencyMs: 4 })
  for (const set of [
    pickTools(named, 'discover', 10),
    pickTools(named, 'auto', 1),
    pickTools(named, undefined, 1),
  ]) {
    expect(set.definitions.map((d) => d.function.name)).toEqual(['search_tools', 'call_tool'])
    expect([...set.byName.keys()]).toEqual(['S__read_file', 'S__echo'])
    expect(set.discovery?.search('file').map((e) => e.name)).toEqual(['S__read_file'])
  }
})
