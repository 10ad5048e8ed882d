import { describe, expect, test } from 'bun:test'
import { createHash } from 'node:crypto'
import { assignNames, type NamedTool } from './names'

const valid = /^[A-Za-z0-9_-]{1,64}$/
const tag = (serverId: string, tool: string) =>
  createHash('sha256').update(`${serverId}\0${tool}`).digest('hex').slice(0, 6)
const tool = (serverId: string, serverName: string, name: string): NamedTool => ({
  serverId,
  serverName,
  tool: name,
})
const names = (tools: NamedTool[]) => assignNames(tools).map((t) => t.name)

describe('assignNames', () => {
  test('a readable name: <server name>__<tool>, runs of other characters made one "_"', () => {
    expect(
      names([
        tool('a', 'Everything', 'echo'),
        tool('a', 'Everything', 'get-sum'),
        tool('b', 'My Server!', 'do.thing'),
        tool('c', 'Café ☕ bar', 'tool/with spaces'),
        tool('d', 'ok-name_1', 'UPPER_lower-9'),
      ]),
    ).toEqual([
      'Everything__echo',
      'Everything__get-sum',
      'My_Server___do_thing',
      'Caf_bar__tool_with_spaces',
      'ok-name_1__UPPER_lower-9',
    ])
  })

  test('the entries come back with their own fields and the name added', () => {
    const entry = { ...tool('s1', 'S', 't'), description: 'd', inputSchema: { type: 'object' } }
    expect(assignNames([entry])).toEqual([{ ...entry, name: 'S__t' }])
  })

  test('64 characters at most: a longer name keeps its start and ends with a tag of server and tool', () => {
    const exact = 'x'.repeat(64 - '__t'.length)
    expect(names([tool('s', exact, 't')])).toEqual([`${exact}__t`])

    const long = 'L'.repeat(100)
    const [a, b] = names([tool('s1', long, 'first'), tool('s1', long, 'second')])
    expect(a).toHaveLength(64)
    expect(b).toHaveLength(64)
    expect(a).toBe(`${'L'.repeat(57)}_${tag('s1', 'first')}`)
    expect(b).toBe(`${'L'.repeat(57)}_${tag('s1', 'second')}`)
    // Two tools of one long-named server whose names differ only past the limit stay apart.
    expect(a).not.toBe(b)

    const longTool = names([tool('s2', 'Srv', `${'t'.repeat(70)}!`)])[0] as string
    expect(longTool).toMatch(valid)
    expect(longTool).toBe(`${`Srv__${'t'.repeat(70)}`.slice(0, 57)}_${tag('s2', `${'t'.repeat(70)}!`)}`)
  })

  test('collisions: the first keeps the readable name, the others get the tag of their server and tool', () => {
    const tools = [
      tool('old', 'Every thing', 'echo'),
      tool('new', 'Every_thing', 'echo'),
      tool('newer', 'Every  thing', 'echo'),
      tool('old', 'Every thing', 'get-sum'),
    ]
    expect(names(tools)).toEqual([
      'Every_thing__echo',
      `Every_thing__echo_${tag('new', 'echo')}`,
      `Every_thing__echo_${tag('newer', 'echo')}`,
      'Every_thing__get-sum',
    ])
    // The same servers always give the same names.
    expect(names(tools)).toEqual(names(tools.map((t) => ({ ...t }))))
  })

  test("a server's names do not change when servers registered after it appear", () => {
    const before = [tool('a', 'Alpha', 'echo'), tool('b', 'Alpha', 'echo'), tool('c', 'Gamma', 'x')]
    const first = names(before)
    const later = [
      tool('d', 'Alpha', 'echo'),
      tool('e', 'Gamma', 'x'),
      tool('f', 'Alpha', `echo_${tag('b', 'echo')}`),
      tool('g', 'Delta', 'y'),
    ]
    expect(names([...before, ...later]).slice(0, before.length)).toEqual(first)
  })

  test('a readable name equal to an earlier suffixed one is suffixed in turn', () => {
    const suffixed = `Alpha__echo_${tag('b', 'echo')}`
    const out = names([
      tool('a', 'Alpha', 'echo'),
      tool('b', 'Alpha', 'echo'),
      tool('c', 'Alpha', `echo_${tag('b', 'echo')}`),
    ])
    expect(out.slice(0, 2)).toEqual(['Alpha__echo', suffixed])
    expect(out[2]).toBe(`${suffixed}_${tag('c', `echo_${tag('b', 'echo')}`)}`)
    expect(new Set(out).size).toBe(3)
  })

  test('the same server and tool listed twice still get distinct names', () => {
    const out = names([tool('s', 'S', 't'), tool('s', 'S', 't'), tool('s', 'S', 't')])
    expect(out).toEqual(['S__t', `S__t_${tag('s', 't')}`, `S__t_${tag('s', 't')}2`])
    const long = 'L'.repeat(80)
    const longOut = names([tool('s', long, 't'), tool('s', long, 't')])
    expect(new Set(longOut).size).toBe(2)
    for (const n of longOut) expect(n).toMatch(valid)
  })

  test('any mix of names: all unique and valid, and each prefix of the list named alike', () => {
    // A small alphabet with characters to sanitise, so that collisions are frequent.
    let seed = 42
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return seed % n
    }
    const pick = (chars: string, length: number) =>
      Array.from({ length }, () => chars[random(chars.length)]).join('')
    const tools = Array.from({ length: 600 }, () =>
      tool(
        `srv-${random(40)}`,
        pick('ab _.-', random(5) === 0 ? 70 + random(40) : 1 + random(4)),
        pick('xy.-', 1 + random(3)),
      ),
    )
    const out = names(tools)
    // The tool part has no hex letters: a name ending in six hex digits was given a tag.
    expect(out.filter((n) => /_[0-9a-f]{6}\d*$/.test(n)).length).toBeGreaterThan(100)
    expect(out.filter((n) => n.length === 64).length).toBeGreaterThan(10)
    expect(new Set(out).size).toBe(out.length)
    for (const n of out) expect(n).toMatch(valid)
    for (const cut of [1, 50, 300, 599]) expect(names(tools.slice(0, cut))).toEqual(out.slice(0, cut))
  })
})
