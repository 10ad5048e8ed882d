import { describe, expect, test } from 'bun:test'
import { asksNothingNew, chooseScope } from './scope'

describe('chooseScope', () => {
  test('the challenge first, then the resource metadata, then none', () => {
    expect(chooseScope({ challenge: 'mcp:basic', resourceScopes: ['a', 'b'] })).toBe('mcp:basic')
    expect(chooseScope({ resourceScopes: ['mcp:basic', 'mcp:read'] })).toBe('mcp:basic mcp:read')
    expect(chooseScope({})).toBeUndefined()
  })

  test("the user's scopes win over what the server suggests", () => {
    expect(chooseScope({ configured: ['repo'], challenge: 'mcp:basic', resourceScopes: ['x'] })).toBe('repo')
  })

  test('offline_access only when the authorization server lists it, and never alone', () => {
    expect(chooseScope({ challenge: 'mcp:basic', serverScopes: ['mcp:basic', 'offline_access'] })).toBe(
      'mcp:basic offline_access',
    )
    expect(chooseScope({ challenge: 'mcp:basic', serverScopes: ['mcp:basic'] })).toBe('mcp:basic')
    expect(chooseScope({ serverScopes: ['offline_access'] })).toBeUndefined()
  })

  test('a step-up keeps what was granted and adds what the server asks for', () => {
    expect(chooseScope({ challenge: 'mcp:basic mcp:write', granted: ['mcp:basic'] })).toBe(
      'mcp:basic mcp:write',
    )
  })

  test('asksNothingNew: a 403 for scopes already held will not be helped by asking again', () => {
    expect(asksNothingNew('mcp:basic', ['mcp:basic', 'mcp:write'])).toBe(true)
    expect(asksNothingNew('mcp:admin', ['mcp:basic'])).toBe(false)
  })
})
