import { describe, expect, test } from 'bun:test'
import { hostName, hostRules, rebindingRefusal } from './hosts'

describe('hostName', () => {
  test('drops the port and lower-cases', () => {
    expect(hostName('LocalHost:8000')).toBe('localhost')
    expect(hostName('[::1]:8000')).toBe('[::1]')
    expect(hostName('example.com')).toBe('example.com')
  })
})

describe('rebindingRefusal', () => {
  const authOff = hostRules([], false)
  test('with auth off, only loopback names are answered', () => {
    expect(rebindingRefusal(authOff, '127.0.0.1:8000', null, [])).toBeUndefined()
    expect(rebindingRefusal(authOff, 'localhost:8000', 'http://localhost:8000', [])).toBeUndefined()
    expect(rebindingRefusal(authOff, 'evil.example.com', 'http://evil.example.com', [])).toContain('Host')
    expect(rebindingRefusal(authOff, null, null, [])).toContain('Host')
  })

  test('a loopback Host with a foreign Origin is refused unless the origin is listed', () => {
    expect(rebindingRefusal(authOff, 'localhost:8000', 'http://evil.example.com', [])).toContain('Origin')
    expect(
      rebindingRefusal(authOff, 'localhost:8000', 'http://app.example', ['http://app.example']),
    ).toBeUndefined()
  })

  test('configured names and the public URL host are answered', () => {
    const rules = hostRules(['mcp.internal'], false, 'https://automcp.example.org')
    expect(rebindingRefusal(rules, 'mcp.internal:8000', null, [])).toBeUndefined()
    expect(rebindingRefusal(rules, 'automcp.example.org', 'https://automcp.example.org', [])).toBeUndefined()
    expect(rebindingRefusal(rules, 'other.internal', null, [])).toContain('Host')
  })

  test('with auth on any Host is answered, but an Origin must be its own host or listed', () => {
    const rules = hostRules([], true)
    expect(rebindingRefusal(rules, 'nas.lan:8000', null, [])).toBeUndefined()
    expect(rebindingRefusal(rules, 'nas.lan:8000', 'http://nas.lan:8000', [])).toBeUndefined()
    expect(rebindingRefusal(rules, 'nas.lan:8000', 'http://evil.example', [])).toContain('Origin')
  })

  test('`*` answers any Host even with auth off', () => {
    expect(rebindingRefusal(hostRules(['*'], false), 'anything', null, [])).toBeUndefined()
  })
})
