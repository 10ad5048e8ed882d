// The tool loop on its own, against upstreams that answer what real ones sometimes do.
import { expect, test } from 'bun:test'
import { createAgent } from '../src/modules/llm/agent'
import type { Chunk } from '../src/modules/llm/stream'
import { boundedContent } from '../src/modules/llm/tool-results'
import type { AgentHooks } from '../src/modules/llm/types'
import type { Upstream } from '../src/modules/llm/upstream'
import type { CallOutcome, ToolEntry, ToolSet } from '../src/modules/tools/catalog'

const entry = (name: string): ToolEntry => ({
  name,
  serverId: 's',
  serverName: 'S',
  tool: name,
  inputSchema: { type: 'object' },
  healthy: true,
  latencyMs: 1,
})
const toolSet = (...names: string[]): ToolSet => {
  const entries = names.map(entry)
  return {
    entries,
    definitions: entries.map((e) => ({
      type: 'function',
      function: { name: e.name, parameters: e.inputSchema },
    })),
    byName: new Map(entries.map((e) => [e.name, e])),
  }
}
const answered = async (): Promise<CallOutcome> => ({
  ok: true,
  content: [{ type: 'text', text: 'r' }],
  latencyMs: 1,
})
const signal = () => new AbortController().signal
const raw = (data: unknown): Chunk => ({ raw: JSON.stringify(data) })

/** A streamed chunk carrying one piece of a tool call. */
const piece = (part: Record<string, unknown>) => raw({ choices: [{ delta: { tool_calls: [part] } }] })

/** The streaming loop over `upstream`, offered the tools `names`, calling them with `call`. */
const runStreaming = (
  upstream: Upstream,
  call: Parameters<typeof createAgent>[1],
  names: string[],
  hooks?: AgentHooks,
) =>
  createAgent(
    upstream,
    call,
  )({
    body: { model: 'm', messages: [] },
    stream: true,
    tools: toolSet(...names),
    maxSteps: 8,
    signal: signal(),
    hooks,
  })

/** An upstream that streams `first` as its first answer and then a short text answer. */
function streaming(first: Chunk[]) {
  let n = 0
  return {
    stream: async (_body: unknown, on: (chunks: Chunk[]) => unknown) => {
      n++
      if (n > 1) {
        await on([raw({ choices: [{ delta: { content: 'ok' } }] })])
        return { finish_reason: 'stop', usage: null }
      }
      await on(first)
      return { finish_reason: 'tool_calls', usage: null }
    },
  } as unknown as Upstream
}

test('usage is summed over the steps, cost and token details included', async () => {
  let n = 0
  const usage = {
    prompt_tokens: 10,
    completion_tokens: 5,
    total_tokens: 15,
    cost: 0.25,
    completion_tokens_details: { reasoning_tokens: 3 },
  }
  const upstream = {
    complete: async () =>
      ++n === 1
        ? {
            choices: [
              {
                message: {
                  content: null,
                  tool_calls: [{ id: 'a', function: { name: 'S__t', arguments: '{}' } }],
                },
              },
            ],
            usage,
          }
        : { choices: [{ message: { content: 'done' }, finish_reason: 'stop' }], usage },
  } as unknown as Upstream
  const result = await createAgent(
    upstream,
    answered,
  )({
    body: { model: 'm', messages: [] },
    stream: false,
    tools: toolSet('S__t'),
    maxSteps: 8,
    signal: signal(),
  })
  expect(result.usage).toEqual({
    prompt_tokens: 20,
    completion_tokens: 10,
    total_tokens: 30,
    cost: 0.5,
    completion_tokens_details: { reasoning_tokens: 6 },
  })
})

test('calls streamed whole without an index stay separate calls', async () => {
  const seen: unknown[] = []
  const call = (id: string, name: string, args: string) =>
    piece({ id, type: 'function', function: { name, arguments: args } })
  const result = await runStreaming(
    streaming([call('c1', 'S__a', '{"x":1}'), call('c2', 'S__b', '{"y":2}')]),
    async (e, args) => {
      seen.push([e.name, args])
      return answered()
    },
    ['S__a', 'S__b'],
  )
  expect(seen).toEqual([
    ['S__a', { x: 1 }],
    ['S__b', { y: 2 }],
  ])
  expect(result.calls.map((c) => [c.id, c.ok])).toEqual([
    ['c1', true],
    ['c2', true],
  ])
})

test('a huge tool-call index is not an array slot: the call is made at once', async () => {
  const started = performance.now()
  const result = await runStreaming(
    streaming([
      piece({ index: 4294967294, id: 'c1', function: { name: 'S__a' } }),
      piece({ index: 4294967294, function: { arguments: '{}' } }),
    ]),
    answered,
    ['S__a'],
  )
  expect(performance.now() - started).toBeLessThan(500)
  expect(result.calls).toMatchObject([{ id: 'c1', name: 'S__a', ok: true }])
})

test('a call id the model repeats is made unique, so each call gets its own result', async () => {
  const results: string[] = []
  const call = (index: number) => piece({ index, id: 'same', function: { name: 'S__a', arguments: '{}' } })
  const result = await runStreaming(streaming([call(0), call(1)]), answered, ['S__a'], {
    toolResult: (r) => results.push(r.call_id),
  })
  expect(result.calls.map((c) => c.id)).toEqual(['same', 'same_2'])
  expect(results.sort()).toEqual(['same', 'same_2'])
})

test('at most 32 calls run in one step; the others are error results', async () => {
  const calls = Array.from({ length: 40 }, (_, i) =>
    piece({ index: i, id: `c${i}`, function: { name: 'S__a', arguments: '{}' } }),
  )
  let made = 0
  const result = await runStreaming(streaming(calls), async () => {
    made++
    return answered()
  }, ['S__a'])
  expect(made).toBe(32)
  expect(result.calls.filter((c) => c.ok)).toHaveLength(32)
  expect(result.calls.filter((c) => !c.ok)).toHaveLength(8)
})

test('a result of many large parts reaches a client as at most 256 KB', () => {
  const parts = Array.from({ length: 100 }, () => ({ type: 'text', text: 'y'.repeat(60_000) }))
  const bounded = boundedContent(parts)
  expect(JSON.stringify(bounded).length).toBeLessThan(260_000)
  expect(bounded.at(-1)).toEqual({
    type: 'text',
    text: expect.stringMatching(/^\[\d+ more parts left out\]$/),
  })
  const image = boundedContent([{ type: 'image', mimeType: 'image/png', data: 'A'.repeat(400_000) }])
  expect(image).toEqual([{ type: 'image', mimeType: 'image/png', omitted_bytes: 300_000 }])
})
