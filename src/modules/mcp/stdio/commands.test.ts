import { describe, expect, test } from 'bun:test'
import { commandAllowed } from './commands'

describe('commandAllowed', () => {
  test('an empty list allows any command', () => {
    expect(commandAllowed('anything', [])).toBe(true)
    expect(commandAllowed('/usr/bin/env', [])).toBe(true)
  })

  test('a listed name allows that name, not a path ending in it', () => {
    expect(commandAllowed('npx', ['npx', 'uvx'])).toBe(true)
    expect(commandAllowed('uvx', ['npx', 'uvx'])).toBe(true)
    expect(commandAllowed('node', ['npx', 'uvx'])).toBe(false)
    expect(commandAllowed('/tmp/npx', ['npx'])).toBe(false)
    expect(commandAllowed('./npx', ['npx'])).toBe(false)
  })

  test('a listed path allows exactly that path', () => {
    expect(commandAllowed('/usr/local/bin/server', ['/usr/local/bin/server'])).toBe(true)
    expect(commandAllowed('server', ['/usr/local/bin/server'])).toBe(false)
    expect(commandAllowed('/usr/local/bin/other', ['/usr/local/bin/server'])).toBe(false)
  })
})
