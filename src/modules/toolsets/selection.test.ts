import { describe, expect, test } from 'bun:test'
import { selectsServer, selectsTool } from './selection'

const all = { servers: null, tags: null, tools: null }
const server = (id: string, ...tags: string[]) => ({ id, tags })

describe('selectsServer', () => {
  test('absent lists select every server', () => {
    expect(selectsServer(all, server('a'))).toBe(true)
    expect(selectsServer(all, server('b', 'x'))).toBe(true)
  })

  test('servers: only the listed ids', () => {
    const toolset = { ...all, servers: ['a', 'c'] }
    expect(selectsServer(toolset, server('a'))).toBe(true)
    expect(selectsServer(toolset, server('b'))).toBe(false)
    expect(selectsServer(toolset, server('A'))).toBe(false)
  })

  test('tags: servers with at least one of them', () => {
    const toolset = { ...all, tags: ['prod', 'docs'] }
    expect(selectsServer(toolset, server('a', 'docs'))).toBe(true)
    expect(selectsServer(toolset, server('b', 'dev', 'prod'))).toBe(true)
    expect(selectsServer(toolset, server('c', 'dev'))).toBe(false)
    expect(selectsServer(toolset, server('d'))).toBe(false)
  })

  test('servers and tags: both must hold', () => {
    const toolset = { ...all, servers: ['a', 'b'], tags: ['prod'] }
    expect(selectsServer(toolset, server('a', 'prod'))).toBe(true)
    expect(selectsServer(toolset, server('b', 'dev'))).toBe(false)
    expect(selectsServer(toolset, server('c', 'prod'))).toBe(false)
  })

  test('an empty list selects nothing', () => {
    expect(selectsServer({ ...all, servers: [] }, server('a'))).toBe(false)
    expect(selectsServer({ ...all, tags: [] }, server('a', 'x'))).toBe(false)
  })
})

describe('selectsTool', () => {
  test('absent tools keep every tool', () => {
    expect(selectsTool(all, 'Everything', 'echo', 'Everything__echo')).toBe(true)
  })

  test('a tool is kept by its own name, its prefixed name, or <server name>__<tool>', () => {
    const toolset = { tools: ['echo', 'Files__read', 'My_Server__write'] }
    expect(selectsTool(toolset, 'Everything', 'echo', 'Everything__echo')).toBe(true)
    expect(selectsTool(toolset, 'Files', 'read', 'Files__read')).toBe(true)
    // The name the gateway gives is sanitised ("My Server" → "My_Server"): it matches that name too.
    expect(selectsTool(toolset, 'My Server', 'write', 'My_Server__write')).toBe(true)
    expect(selectsTool(toolset, 'Everything', 'add', 'Everything__add')).toBe(false)
    // The prefixed name of another server's tool does not select this one.
    expect(selectsTool(toolset, 'Other', 'read', 'Other__read')).toBe(false)
  })

  test('the unsanitised <server name>__<tool> matches too', () => {
    expect(selectsTool({ tools: ['My Server__write'] }, 'My Server', 'write', 'My_Server__write')).toBe(true)
  })

  test('an empty list keeps nothing', () => {
    expect(selectsTool({ tools: [] }, 'Everything', 'echo', 'Everything__echo')).toBe(false)
  })
})
