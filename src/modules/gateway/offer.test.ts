import { describe, expect, test } from 'bun:test'
import type { ServerLists } from '../mcp'
import { buildOffer, type OfferedServer, offerParts } from './offer'

const lists = (over: Partial<ServerLists> = {}): ServerLists => ({
  tools: [],
  resources: [],
  templates: [],
  prompts: [],
  ...over,
})
const tool = (name: string) => ({ name, description: `does ${name}`, inputSchema: { type: 'object' } })
const server = (id: string, name: string, l: ServerLists, tags: string[] = []): OfferedServer => ({
  id,
  name,
  tags,
  healthy: true,
  latencyMs: 5,
  lists: l,
})

const older = server(
  'a',
  'Alpha',
  lists({ tools: [tool('echo'), tool('add')], prompts: [{ name: 'greet' }] }),
  ['dev'],
)
const newer = server('b', 'Beta', lists({ tools: [tool('echo')], prompts: [{ name: 'greet' }] }), ['prod'])

describe('buildOffer', () => {
  test('prefixed names route each tool and prompt to its own server under its own name', () => {
    const offer = buildOffer([older, newer], { name: null, prefix: true })
    expect(offer.tools.map((t) => t.name)).toEqual(['Alpha__echo', 'Alpha__add', 'Beta__echo'])
    expect(offer.toolRoutes.get('Beta__echo')).toMatchObject({ serverId: 'b', name: 'echo' })
    expect(offer.promptRoutes.get('Alpha__greet')).toMatchObject({ serverId: 'a', name: 'greet' })
    expect(offer.tools[0]?.description).toBe('does echo')
    expect(offer.collisions).toEqual([])
  })

  test('without a prefix the older server keeps a name both offer, and the collision is noted', () => {
    const offer = buildOffer([older, newer], { name: 'ts', prefix: false })
    expect(offer.tools.map((t) => t.name)).toEqual(['echo', 'add'])
    expect(offer.toolRoutes.get('echo')?.serverId).toBe('a')
    expect(offer.toolCollisions).toEqual(['echo'])
    expect(offer.collisions).toEqual(['echo', 'greet'])
  })

  test('a toolset selects servers by id and tag, and tools by either name', () => {
    expect(
      buildOffer([older, newer], { name: 't', prefix: true, servers: ['b'] }).tools.map((t) => t.name),
    ).toEqual(['Beta__echo'])
    expect(
      buildOffer([older, newer], { name: 't', prefix: false, tags: ['dev'] }).tools.map((t) => t.name),
    ).toEqual(['echo', 'add'])
    expect(
      buildOffer([older, newer], { name: 't', prefix: true, tools: ['add', 'Beta__echo'] }).tools.map(
        (t) => t.name,
      ),
    ).toEqual(['Alpha__add', 'Beta__echo'])
  })

  test('a URI two servers claim goes to the older; templates are kept in server age order', () => {
    const r = (uri: string) => ({ uri, name: uri })
    const t = (uriTemplate: string) => ({ uriTemplate, name: uriTemplate })
    const one = server('a', 'A', lists({ resources: [r('file:///x')], templates: [t('a://{id}')] }))
    const two = server(
      'b',
      'B',
      lists({ resources: [r('file:///x'), r('file:///y')], templates: [t('b://{id}')] }),
    )
    const offer = buildOffer([one, two], { name: null, prefix: true })
    expect(offer.resources.map((x) => x.uri)).toEqual(['file:///x', 'file:///y'])
    expect(offer.resourceRoutes.get('file:///x')).toBe('a')
    expect(offer.resourceRoutes.get('file:///y')).toBe('b')
    expect(offer.templateRoutes).toEqual([
      { serverId: 'a', uriTemplate: 'a://{id}' },
      { serverId: 'b', uriTemplate: 'b://{id}' },
    ])
    expect(offer.collisions).toEqual(['file:///x'])
  })

  test('a tool that needs a task is left out; the others are offered without their task support', () => {
    const tasked = server(
      't',
      'Tasks',
      lists({
        tools: [
          { ...tool('long'), execution: { taskSupport: 'required' } },
          { ...tool('either'), execution: { taskSupport: 'optional' } },
        ],
      }),
    )
    const offer = buildOffer([tasked], { name: null, prefix: true })
    expect(offer.tools.map((t) => t.name)).toEqual(['Tasks__either'])
    expect(offer.tools[0]).not.toHaveProperty('execution')
  })

  test('offerParts tells which lists changed', () => {
    const before = offerParts(buildOffer([older], { name: null, prefix: true }))
    const after = offerParts(buildOffer([older, newer], { name: null, prefix: true }))
    expect(before.tools).not.toBe(after.tools)
    expect(before.prompts).not.toBe(after.prompts)
    expect(before.resources).toBe(after.resources)
  })
})
