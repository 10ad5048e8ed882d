import { expect, test } from 'bun:test'
import type { ToolSet } from '../tools/catalog'
import { type ChatTools, runChat, splitRequest } from './chat'
import { UpstreamError } from './errors'
import type { Chunk } from './stream'
import type { AgentRequest, AgentResult } from './types'
import type { Upstream } from './upstream'

test("AutoMCP's own fields and the transport's are not sent upstream", () => {
  const split = splitRequest(
    {
      type: 'chat',
      id: 1,
      model: 'm',
      messages: [],
      stream: true,
      tools: ['a'],
      servers: ['s'],
      max_steps: 3,
      tool_approval: 'ask',
      batch: true,
    },
    'none',
    ['type', 'id', 'batch'],
  )
  expect(split).toEqual({
    body: { model: 'm', messages: [] },
    selection: { tools: ['a'], servers: ['s'] },
    maxSteps: 3,
  })
})

test("the client's own function tools go upstream, and no tools means the transport's default", () => {
  const fn = [{ type: 'function', function: { name: 'f' } }]
  expect(splitRequest({ model: 'm', tools: fn }, 'auto')).toEqual({
    body: { model: 'm', tools: fn },
    selection: undefined,
    maxSteps: undefined,
  })
  expect(splitRequest({ model: 'm' }, 'auto').selection).toEqual({ tools: 'auto' })
  expect(splitRequest({ model: 'm' }, 'none').selection).toBeUndefined()
  expect(splitRequest({ model: 'm', tools: 'none' }, 'auto').selection).toBeUndefined()
})

const noTools: ToolSet = { entries: [], definitions: [], byName: new Map() }
const signal = new AbortController().signal

function fakes() {
  const seen: string[] = []
  const upstream = {
    models: async () => '{"data":[]}',
    complete: async () => {
      seen.push('complete')
      return { choices: [] }
    },
    stream: async (_body: unknown, on: (chunks: Chunk[]) => unknown) => {
      seen.push('stream')
      await on([{ raw: '{}' }])
      return { finish_reason: 'stop', usage: { total_tokens: 1 } }
    },
  } as unknown as Upstream
  const agentResult: AgentResult = {
    finish_reason: 'stop',
    usage: { total_tokens: 2 },
    calls: [],
    steps: 1,
    max_steps_reached: false,
    text: '',
  }
  let asked: AgentRequest | undefined
  const tools: ChatTools = {
    select: async () => noTools,
    run: (async (request: AgentRequest) => {
      asked = request
      return agentResult
    }) as ChatTools['run'],
    maxSteps: 7,
    approvalTimeoutMs: 1000,
  }
  return { seen, upstream, tools, agentResult, asked: () => asked }
}

test('without tools a chat goes straight upstream, streamed or not', async () => {
  const { seen, upstream, tools } = fakes()
  const chunks: Chunk[][] = []
  const streamed = await runChat(upstream, tools, {
    body: {},
    selection: undefined,
    maxSteps: undefined,
    stream: true,
    signal,
    hooks: { chunks: (c) => void chunks.push(c) },
  })
  expect(streamed).toEqual({ finish_reason: 'stop', usage: { total_tokens: 1 } })
  expect(chunks).toEqual([[{ raw: '{}' }]])
  const completed = await runChat(upstream, tools, {
    body: {},
    selection: undefined,
    maxSteps: undefined,
    stream: false,
    signal,
  })
  expect(completed).toEqual({ finish_reason: null, usage: null, completion: { choices: [] } })
  expect(seen).toEqual(['stream', 'complete'])
})

test('with tools a chat runs the tool loop, with the default step limit unless it names one', async () => {
  const { upstream, tools, agentResult, asked } = fakes()
  const result = await runChat(upstream, tools, {
    body: { model: 'm' },
    selection: { tools: 'auto' },
    maxSteps: undefined,
    stream: false,
    signal,
  })
  expect(result.agent).toBe(agentResult)
  expect(result.finish_reason).toBe('stop')
  expect(asked()?.maxSteps).toBe(7)
  await runChat(upstream, tools, {
    body: {},
    selection: { tools: 'auto' },
    maxSteps: 2,
    stream: true,
    signal,
  })
  expect(asked()?.maxSteps).toBe(2)
})

test('a chat that selects tools where tool use is not set up fails as tools_unavailable', async () => {
  const { upstream } = fakes()
  const run = runChat(upstream, undefined, {
    body: {},
    selection: { tools: 'auto' },
    maxSteps: undefined,
    stream: false,
    signal,
  })
  await expect(run).rejects.toBeInstanceOf(UpstreamError)
  await expect(run).rejects.toMatchObject({ code: 'tools_unavailable' })
})
