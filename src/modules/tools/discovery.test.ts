import { expect, test } from 'bun:test'
import { answerSearch, discoveryError, discoveryTools, parseCallTool } from './discovery'
import { createToolIndex, type SearchEntry } from './search'

const entry = (name: string, description?: string): SearchEntry => ({
  name,
  ...(description ? { description } : {}),
  serverName: 'Everything',
  inputSchema: { type: 'object', properties: { message: { type: 'string' } } },
  healthy: true,
  latencyMs: 3,
})
const index = createToolIndex([
  entry('Everything__echo', 'Echoes back the input'),
  entry('Everything__get-sum', 'Returns the sum of two numbers'),
  entry('Everything__no_description'),
])

test('discovery offers exactly search_tools and call_tool, with object input schemas', () => {
  expect(discoveryTools.map((t) => t.name)).toEqual(['search_tools', 'call_tool'])
  for (const t of discoveryTools) {
    expect(t.inputSchema.type).toBe('object')
    expect(t.description.length).toBeGreaterThan(20)
  }
  expect(discoveryTools[0]?.inputSchema.required).toEqual(['query'])
  expect(discoveryTools[1]?.inputSchema.required).toEqual(['name'])
})

test('a search answers the best tools with their server and schema, as text and structured content', () => {
  const result = answerSearch(index, { query: 'sum numbers', limit: 1 })
  expect(result.isError).toBeUndefined()
  expect(result.structuredContent).toEqual({
    tools: [
      {
        name: 'Everything__get-sum',
        description: 'Returns the sum of two numbers',
        server: 'Everything',
        inputSchema: { type: 'object', properties: { message: { type: 'string' } } },
      },
    ],
  })
  expect(JSON.parse(result.content[0]?.text as string)).toEqual(result.structuredContent)
  // No description: none is made up.
  const bare = answerSearch(index, { query: 'no description' }).structuredContent?.tools[0]
  expect(bare).toEqual({
    name: 'Everything__no_description',
    server: 'Everything',
    inputSchema: expect.any(Object),
  })
})

test('an empty query lists tools; no match says so and how to do better', () => {
  expect(answerSearch(index, { query: '' }).structuredContent?.tools).toHaveLength(3)
  const none = answerSearch(index, { query: 'kubernetes', limit: null })
  expect(none.isError).toBeUndefined()
  expect(none.structuredContent).toEqual({ tools: [] })
  expect(none.content[0]?.text).toBe(
    'No tool matches "kubernetes" among 3: try other words, or an empty query to list tools',
  )
})

test('bad search arguments are error results with a clear message, never a throw', () => {
  const cases: [unknown, string][] = [
    [undefined, 'The arguments must be an object'],
    [['echo'], 'The arguments must be an object'],
    [{}, '"query" must be a string'],
    [{ query: 3 }, '"query" must be a string'],
    [{ query: 'echo', limit: 0 }, '"limit" must be an integer from 1 to 50'],
    [{ query: 'echo', limit: 51 }, '"limit" must be an integer from 1 to 50'],
    [{ query: 'echo', limit: 2.5 }, '"limit" must be an integer from 1 to 50'],
    [{ query: 'echo', limit: '5' }, '"limit" must be an integer from 1 to 50'],
  ]
  for (const [args, message] of cases) {
    const result = answerSearch(index, args)
    expect(result.isError).toBe(true)
    expect(result.content[0]?.text).toStartWith(message)
    expect(result.structuredContent).toBeUndefined()
  }
})

test('call_tool arguments: the name and the tool arguments, {} when absent; else what is wrong', () => {
  expect(parseCallTool({ name: 'Everything__echo', arguments: { message: 'hi' } })).toEqual({
    name: 'Everything__echo',
    arguments: { message: 'hi' },
  })
  expect(parseCallTool({ name: 'Everything__echo' })).toEqual({ name: 'Everything__echo', arguments: {} })
  expect(parseCallTool({ name: 'x', arguments: null })).toEqual({ name: 'x', arguments: {} })
  expect(parseCallTool(null)).toEqual({ error: expect.stringContaining('must be an object') })
  expect(parseCallTool({ name: '' })).toEqual({ error: expect.stringContaining('"name" must be') })
  expect(parseCallTool({ name: 7 })).toEqual({ error: expect.stringContaining('"name" must be') })
  expect(parseCallTool({ name: 'x', arguments: [1] })).toEqual({
    error: expect.stringContaining('"arguments" must be an object'),
  })
  expect(parseCallTool({ name: 'x', arguments: 'a=1' })).toEqual({
    error: expect.stringContaining('"arguments" must be an object'),
  })
})

test('an error result is text with isError', () => {
  expect(discoveryError('no')).toEqual({ content: [{ type: 'text', text: 'no' }], isError: true })
})
