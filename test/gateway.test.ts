// AutoMCP as an MCP server (#16), end to end: the SDK's own client against /mcp and /sse, with real
// servers behind: server-everything over streamable HTTP and the same server as a stdio program.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ErrorCode,
  McpError,
} from '@modelcontextprotocol/sdk/types.js'
import type { TestApp } from './helpers/app'
import { startGatewayApp, textOf, toolNamesOf } from './helpers/gateway-client'
import { parse } from './helpers/prometheus'
import { waitFor } from './helpers/wait'

let gateway: Awaited<ReturnType<typeof startGatewayApp>>
let api: TestApp
const connect: Awaited<ReturnType<typeof startGatewayApp>>['connect'] = (...args) => gateway.connect(...args)
const gatewayCalls = (serverId: string) => gateway.gatewayCalls(serverId)

beforeAll(async () => {
  gateway = await startGatewayApp()
  api = gateway.api
}, 90_000)

afterAll(() => gateway?.stop())

describe('/mcp with the SDK client', () => {
  test('initialize: the 2025-11-25 protocol, AutoMCP named, every capability of a gateway', async () => {
    const client = await connect()
    expect((client.transport as StreamableHTTPClientTransport).protocolVersion).toBe('2025-11-25')
    expect(client.getServerVersion()?.name).toBe('automcp')
    const caps = client.getServerCapabilities()
    for (const c of ['tools', 'prompts', 'resources', 'logging', 'completions'])
      expect(caps, c).toHaveProperty(c)
    expect(client.getInstructions()).toContain('<server>__<tool>')
  })

  test("tools/list has both servers' tools, prefixed; each is called on its server and recorded as gateway", async () => {
    const client = await connect()
    const names = await toolNamesOf(client)
    expect(names).toContain('Everything__echo')
    expect(names).toContain('Local__echo')
    expect(names).toContain('Everything__get-sum')
    expect(names.filter((n) => !n.startsWith('Everything__') && !n.startsWith('Local__'))).toEqual([])

    const before = { ev: await gatewayCalls('ev'), local: await gatewayCalls('local') }
    const http = await client.callTool({ name: 'Everything__echo', arguments: { message: 'over http' } })
    expect(http.isError).toBeFalsy()
    expect(textOf(http)).toContain('over http')
    const stdio = await client.callTool({ name: 'Local__get-sum', arguments: { a: 2, b: 40 } })
    expect(stdio.isError).toBeFalsy()
    expect(textOf(stdio)).toContain('42')

    expect(await gatewayCalls('ev')).toBe(before.ev + 1)
    expect(await gatewayCalls('local')).toBe(before.local + 1)
    const metrics = parse(await (await api.request('/metrics')).text())
    const ok = metrics.find(
      (m) =>
        m.name === 'automcp_tool_calls_total' && m.labels.outcome === 'ok' && m.labels.source === 'gateway',
    )
    expect(ok?.value).toBeGreaterThanOrEqual(2)
  })

  test('many calls in flight at once, from several sessions, each get their own answer', async () => {
    // The threads exchange their messages in batches: dozens of calls and answers cross together here.
    const clients = await Promise.all([connect(), connect(), connect()])
    const calls = clients.flatMap((client, c) =>
      Array.from({ length: 20 }, async (_, i) => {
        const [http, stdio] = await Promise.all([
          client.callTool({ name: 'Everything__echo', arguments: { message: `c${c} i${i}` } }),
          client.callTool({ name: 'Local__get-sum', arguments: { a: c * 100, b: i } }),
        ])
        return {
          got: [textOf(http), textOf(stdio)],
          want: [`Echo: c${c} i${i}`, `The sum of ${c * 100} and ${i} is ${c * 100 + i}.`],
        }
      }),
    )
    for (const { got, want } of await Promise.all(calls)) expect(got).toEqual(want)
  })

  test('an unknown tool is a tool error (isError), not a JSON-RPC error', async () => {
    const client = await connect()
    const result = await client.callTool({ name: 'Nobody__echo', arguments: {} })
    expect(result.isError).toBe(true)
    expect(textOf(result)).toContain('Unknown tool: Nobody__echo')
  })
})

describe('prompts, resources and completions through /mcp', () => {
  test('resources/list, templates/list, and reading a listed and a templated resource', async () => {
    const client = await connect()
    const { resources } = await client.listResources()
    const listed = resources.find((r) => r.uri.startsWith('demo://resource/static/document/'))
    expect(listed).toBeDefined()
    const read = await client.readResource({ uri: listed?.uri as string })
    expect(read.contents[0]?.uri).toBe(listed?.uri)

    const { resourceTemplates } = await client.listResourceTemplates()
    const templates = resourceTemplates.map((t) => t.uriTemplate)
    expect(templates).toContain('demo://resource/dynamic/text/{resourceId}')
    const dynamic = await client.readResource({ uri: 'demo://resource/dynamic/text/7' })
    expect(dynamic.contents[0]).toMatchObject({ uri: 'demo://resource/dynamic/text/7' })
    expect(JSON.stringify(dynamic.contents[0])).toContain('7')
  })

  test('prompts/list, prompts/get with arguments, completion/complete for a prompt argument', async () => {
    const client = await connect()
    const names = (await client.listPrompts()).prompts.map((p) => p.name)
    expect(names).toContain('Everything__args-prompt')
    expect(names).toContain('Local__completable-prompt')

    const prompt = await client.getPrompt({
      name: 'Everything__args-prompt',
      arguments: { city: 'Lyon', state: 'Rhône' },
    })
    expect(JSON.stringify(prompt.messages)).toContain('Lyon, Rhône')

    const completed = await client.complete({
      ref: { type: 'ref/prompt', name: 'Everything__completable-prompt' },
      argument: { name: 'department', value: 'Eng' },
    })
    expect(completed.completion.values).toEqual(['Engineering'])
    const inContext = await client.complete({
      ref: { type: 'ref/prompt', name: 'Local__completable-prompt' },
      argument: { name: 'name', value: '' },
      context: { arguments: { department: 'Sales' } },
    })
    expect(inContext.completion.values).toEqual(['David', 'Eve', 'Frank'])
  })

  test('an unknown prompt is an invalid-params error', async () => {
    const client = await connect()
    const error = await client.getPrompt({ name: 'Nobody__prompt' }).catch((e) => e)
    expect(error).toBeInstanceOf(McpError)
    expect(error.code).toBe(ErrorCode.InvalidParams)
  })
})

describe('a call that takes time', () => {
  test("progress reaches the client under the client's own token", async () => {
    const client = await connect()
    const seen: { progress: number; total?: number }[] = []
    const result = await client.callTool(
      { name: 'Local__trigger-long-running-operation', arguments: { duration: 1, steps: 3 } },
      undefined,
      { onprogress: (p) => seen.push(p), timeout: 30_000 },
    )
    expect(textOf(result)).toContain('Long running operation completed')
    // The SDK client drops a progress that arrives in the same read as the result (it forgets the token
    // at once but handles notifications a microtask later): the last one may be lost on its side.
    const progress = seen.map((p) => p.progress)
    expect(progress.length).toBeGreaterThanOrEqual(2)
    expect(progress).toEqual([1, 2, 3].slice(0, progress.length))
    expect(seen.every((p) => p.total === 3)).toBe(true)
  }, 40_000)

  test('a call the client aborts ends, and is recorded as cancelled (gateway)', async () => {
    const client = await connect()
    const cancelledBefore = cancelledCount()
    const controller = new AbortController()
    const progressed = Promise.withResolvers<void>()
    const call = client.callTool(
      { name: 'Everything__trigger-long-running-operation', arguments: { duration: 600, steps: 600 } },
      undefined,
      { signal: controller.signal, onprogress: () => progressed.resolve(), timeout: 700_000 },
    )
    // The call runs on the server (its first progress came back) before the client gives up.
    await progressed.promise
    controller.abort('the user gave up')
    expect(await call.catch((e) => String(e))).toContain('the user gave up')
    await waitFor(() => cancelledCount() === cancelledBefore + 1, 10_000)
    const metrics = parse(await (await api.request('/metrics')).text())
    const cancelled = metrics.find(
      (m) =>
        m.name === 'automcp_tool_calls_total' &&
        m.labels.outcome === 'cancelled' &&
        m.labels.source === 'gateway',
    )
    expect(cancelled?.value).toBeGreaterThanOrEqual(1)
  }, 40_000)
})

// Calls are written in batches: the waiting ones first.
function cancelledCount() {
  api.services.toolCalls.flush()
  const row = api.db.$client
    .query("SELECT count(*) AS n FROM tool_calls WHERE source = 'gateway' AND error = 'cancelled'")
    .get() as { n: number }
  return row.n
}

describe("the servers' requests of the client (elicitation, sampling)", () => {
  test("elicitation: the client's answer is the tool's", async () => {
    const client = await connect('/mcp', { capabilities: { elicitation: { form: {} } } })
    const asked: string[] = []
    client.setRequestHandler(ElicitRequestSchema, async (req) => {
      asked.push(req.params.message)
      return { action: 'accept', content: { name: 'Ada Lovelace', check: true } }
    })
    const result = await client.callTool({ name: 'Everything__trigger-elicitation-request', arguments: {} })
    expect(asked).toEqual(['Please provide inputs for the following fields:'])
    expect(textOf(result)).toContain('- Name: Ada Lovelace')
    expect(textOf(result)).toContain('- Agreed to terms: true')
  }, 30_000)

  test("sampling: the client's message is the tool's result (stdio server)", async () => {
    const client = await connect('/mcp', { capabilities: { sampling: {} } })
    client.setRequestHandler(CreateMessageRequestSchema, async (req) => ({
      role: 'assistant',
      model: 'test-model',
      content: { type: 'text', text: `sampled: ${JSON.stringify(req.params.messages[0]?.content)}` },
    }))
    const result = await client.callTool({
      name: 'Local__trigger-sampling-request',
      arguments: { prompt: 'haiku', maxTokens: 10 },
    })
    expect(result.isError).toBeFalsy()
    expect(textOf(result)).toContain('test-model')
    expect(textOf(result)).toContain('sampled:')
    expect(textOf(result)).toContain('haiku')
  }, 30_000)

  test('a client that cannot answer gets the refusal in the result, not a hang', async () => {
    const client = await connect()
    const elicit = await client.callTool(
      { name: 'Everything__trigger-elicitation-request', arguments: {} },
      undefined,
      { timeout: 20_000 },
    )
    expect(elicit.isError).toBe(true)
    expect(textOf(elicit)).toContain('elicitation/create')
    const sample = await client.callTool(
      { name: 'Local__trigger-sampling-request', arguments: { prompt: 'x' } },
      undefined,
      { timeout: 20_000 },
    )
    expect(sample.isError).toBe(true)
    expect(textOf(sample)).toContain('sampling/createMessage')
  }, 30_000)
})

describe('the legacy SSE transport at /sse', () => {
  test('initialize, tools/list and tools/call', async () => {
    const client = await connect('/sse')
    expect(client.getServerVersion()?.name).toBe('automcp')
    expect(client.getServerCapabilities()).toHaveProperty('tools')
    const names = await toolNamesOf(client)
    expect(names).toContain('Everything__echo')
    expect(names).toContain('Local__echo')
    const result = await client.callTool({ name: 'Local__echo', arguments: { message: 'over sse' } })
    expect(textOf(result)).toContain('over sse')
  })
})
