import { expect, test } from 'bun:test'
import { clampLimit, createToolIndex, type SearchEntry, words } from './search'

const tool = (name: string, description = '', extra: Partial<SearchEntry> = {}): SearchEntry => ({
  name,
  description,
  serverName: name.split('__')[0] as string,
  inputSchema: { type: 'object' },
  healthy: true,
  latencyMs: 10,
  ...extra,
})
const names = (found: SearchEntry[]) => found.map((t) => t.name)

const catalog = [
  tool('Everything__echo', 'Echoes back the input'),
  tool('Everything__get-sum', 'Returns the sum of two numbers'),
  tool('Everything__getTinyImage', 'Returns the MCP tiny image'),
  tool('Files__read_file', 'Read the complete contents of a file from the file system'),
  tool('Files__list_directory', 'Get a detailed listing of all files and directories in a specified path'),
  tool('GitHub__create_issue', 'Create a new issue in a GitHub repository'),
  tool('GitHub__search_repositories', 'Search for GitHub repositories'),
  tool('Memory__create_entities', 'Create multiple new entities in the knowledge graph'),
]
const index = createToolIndex(catalog)

test('names split at snake_case, kebab-case, camelCase, `__` and digits; plurals fold', () => {
  expect(words('Everything__getTinyImage')).toEqual(['everything', 'get', 'tiny', 'image'])
  expect(words('read_files')).toEqual(['read', 'file'])
  expect(words('HTTPServer base64 get-sum')).toEqual(
    ['http', 'server', 'base', '64', 'sum'].toSpliced(4, 0, 'get'),
  )
  expect(words('repositories class')).toEqual(['repository', 'class'])
})

test('the best lexical match comes first, from the name, the description or the server', () => {
  expect(names(index.search('echo'))[0]).toBe('Everything__echo')
  expect(names(index.search('add two numbers'))[0]).toBe('Everything__get-sum')
  expect(names(index.search('tiny image'))[0]).toBe('Everything__getTinyImage')
  expect(names(index.search('read a file'))[0]).toBe('Files__read_file')
  expect(names(index.search('github')).toSorted()).toEqual([
    'GitHub__create_issue',
    'GitHub__search_repositories',
  ])
  // Plural and singular match each other; a word in the name counts more than one in a description.
  expect(names(index.search('repositories'))[0]).toBe('GitHub__search_repositories')
  expect(names(index.search('create entity'))[0]).toBe('Memory__create_entities')
})

test('a word that begins catalog words matches them; nothing matching gives nothing', () => {
  expect(names(index.search('direct'))).toEqual(['Files__list_directory'])
  expect(index.search('kubernetes pods')).toEqual([])
  // Too short to stand for the words it begins.
  expect(index.search('zz')).toEqual([])
})

test('health and speed break ties and boost modestly, never past a clearly better match', () => {
  const twins = createToolIndex([
    tool('Slow__fetch', 'Fetch a URL', { latencyMs: 900 }),
    tool('Down__fetch', 'Fetch a URL', { healthy: false, latencyMs: 1 }),
    tool('Fast__fetch', 'Fetch a URL', { latencyMs: 5 }),
    tool('Unknown__fetch', 'Fetch a URL', { latencyMs: null }),
  ])
  expect(names(twins.search('fetch url'))).toEqual([
    'Fast__fetch',
    'Slow__fetch',
    'Unknown__fetch',
    'Down__fetch',
  ])
  const lexical = createToolIndex([
    tool('Fast__weather', 'Current weather', { latencyMs: 1 }),
    tool('Down__forecast_weather', 'Weather forecast for a city', { healthy: false, latencyMs: null }),
  ])
  expect(names(lexical.search('weather forecast'))[0]).toBe('Down__forecast_weather')
})

test('an empty query (or stop words only) lists tools by health and speed, up to the limit', () => {
  const mixed = createToolIndex([
    tool('A__a', '', { healthy: false, latencyMs: 1 }),
    tool('B__b', '', { latencyMs: 300 }),
    tool('C__c', '', { latencyMs: 3 }),
  ])
  expect(names(mixed.search(''))).toEqual(['C__c', 'B__b', 'A__a'])
  expect(names(mixed.search('  the tool to use ', 2))).toEqual(['C__c', 'B__b'])
  expect(mixed.size).toBe(3)
})

test('the limit is 10 by default, at least 1 and at most 50', () => {
  const many = createToolIndex(Array.from({ length: 80 }, (_, i) => tool(`S__echo_${i}`, 'echo')))
  expect(many.search('echo')).toHaveLength(10)
  expect(many.search('echo', 3)).toHaveLength(3)
  expect(many.search('echo', 500)).toHaveLength(50)
  expect(many.search('', 0)).toHaveLength(1)
  expect([clampLimit(undefined), clampLimit(Number.NaN), clampLimit(2.7), clampLimit(-4)]).toEqual([
    10, 10, 2, 1,
  ])
})

test('search returns the entries given, and an empty index finds nothing', () => {
  expect(index.search('echo')[0]).toBe(catalog[0] as SearchEntry)
  expect(createToolIndex([]).search('echo')).toEqual([])
  expect(createToolIndex([]).search('')).toEqual([])
})

test('a thousand tools index in one pass, and a search still finds the one it names', () => {
  const big = Array.from({ length: 1000 }, (_, i) =>
    tool(`Server${i % 50}__tool_number_${i}`, `Does thing ${i} with widgets and gadgets`),
  )
  big.push(tool('Rare__transmogrify', 'Turns one thing into another'))
  const found = createToolIndex(big).search('transmogrify', 5)
  expect(names(found)).toEqual(['Rare__transmogrify'])
})
