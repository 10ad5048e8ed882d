import { describe, expect, test } from 'bun:test'
import { endpointProblem } from './endpoint-rules'

describe('endpointProblem', () => {
  test('a stdio server needs a command and takes no url or headers', () => {
    expect(endpointProblem({ transport: 'stdio', command: 'npx' })).toBeNull()
    expect(endpointProblem({ transport: 'stdio' })).toContain('"command" is required')
    expect(endpointProblem({ transport: 'stdio', command: 'npx', url: 'http://x/mcp' })).toContain(
      '"url" is not used',
    )
    expect(endpointProblem({ transport: 'stdio', command: 'npx', headers: { a: 'b' } })).toContain(
      '"headers"',
    )
  })

  test('a network server needs a url and takes none of the stdio fields', () => {
    expect(endpointProblem({ url: 'http://x/mcp' })).toBeNull()
    expect(endpointProblem({ transport: 'sse' })).toBe('body field "url" is required')
    expect(endpointProblem({ url: 'http://x/mcp', command: 'npx' })).toContain('"command" is only for stdio')
    expect(endpointProblem({ url: 'http://x/mcp', env: { A: '1' } })).toContain('"env" is only for stdio')
    expect(endpointProblem({ url: 'http://x/mcp', cwd: '/tmp' })).toContain('"cwd" is only for stdio')
  })

  test('the empty values GET /servers shows are no conflict, so its bodies can be sent back', () => {
    expect(endpointProblem({ url: 'http://x/mcp', command: null, args: [], env: {}, cwd: null })).toBeNull()
    expect(endpointProblem({ transport: 'stdio', command: 'npx', url: null, headers: {} })).toBeNull()
  })

  test('a patch is judged with what the server has', () => {
    const http = { transport: 'auto' as const, url: 'http://x/mcp', command: null }
    const stdio = { transport: 'stdio' as const, url: '', command: 'npx' }
    expect(endpointProblem({ name: 'n' } as never, http)).toBeNull()
    expect(endpointProblem({ args: ['-y'] }, stdio)).toBeNull()
    // Switching to stdio needs a command; the old url is dropped, not a conflict.
    expect(endpointProblem({ transport: 'stdio' }, http)).toContain('"command" is required')
    expect(endpointProblem({ transport: 'stdio', command: 'uvx' }, http)).toBeNull()
    // Switching away from stdio needs a url.
    expect(endpointProblem({ transport: 'auto' }, stdio)).toBe('body field "url" is required')
    expect(endpointProblem({ transport: 'sse', url: 'http://y/sse' }, stdio)).toBeNull()
    expect(endpointProblem({ url: 'http://y/mcp' }, stdio)).toContain('"url" is not used')
  })
})
