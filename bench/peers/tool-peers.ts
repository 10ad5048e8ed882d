// The two stand-ins of bench:tools, in one process apart from AutoMCP: a real MCP server (the SDK's
// McpServer on streamable HTTP) with an `echo` tool, and an OpenAI-compatible upstream that calls
// that tool `steps` times (model `steps:<n>`) before answering. Each records how long it spent on every
// request it served, from arrival to the last byte handed to the socket; `GET /busy` answers the sums
// since the previous call, so the benchmark can subtract them from what a chat took.
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js'

let upstreamMs = 0
let mcpMs = 0
let mcpRequests = 0

// --- the MCP server -------------------------------------------------------------------------------
const transports = new Map<string, StreamableHTTPServerTransport>()
function newServer() {
  const server = new Server({ name: 'bench-tools', version: '1.0.0' }, { capabilities: { tools: {} } })
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [
      {
        name: 'echo',
        description: 'Echoes the message back',
        inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
      },
    ],
  }))
  server.setRequestHandler(CallToolRequestSchema, async (req) => ({
    content: [{ type: 'text', text: `Echo: ${String(req.params.arguments?.message)}` }],
  }))
  return server
}
// Only tools/call is counted: the monitor's pings of the same server are not part of any chat.
const mcp = createServer(async (req, res) => {
  const started = performance.now()
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString()) : undefined
  if (body?.method === 'tools/call')
    res.on('finish', () => {
      mcpMs += performance.now() - started
      mcpRequests++
    })
  const id = req.headers['mcp-session-id'] as string | undefined
  let transport = id ? transports.get(id) : undefined
  if (!transport) {
    if (id) return res.writeHead(404).end()
    transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      enableJsonResponse: true,
      onsessioninitialized: (sid) => {
        transports.set(sid, transport as StreamableHTTPServerTransport)
      },
    })
    await newServer().connect(transport)
  }
  await transport.handleRequest(req, res, body)
})
await new Promise<void>((resolve) => mcp.listen(0, '127.0.0.1', resolve))

// --- the upstream ---------------------------------------------------------------------------------
const encoder = new TextEncoder()
const sse = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`
const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }
type Req = { model: string; messages: { role: string }[]; tools?: { function: { name: string } }[] }

function answer(body: Req): Uint8Array<ArrayBuffer> {
  const steps = Number(/^steps:(\d+)$/.exec(body.model)?.[1] ?? 0)
  const done = body.messages.filter((m) => m.role === 'tool').length
  const base = { id: 'gen', object: 'chat.completion.chunk', created: 1, model: body.model }
  const chunk = (delta: unknown, finish_reason: string | null = null) => ({
    ...base,
    choices: [{ index: 0, delta, finish_reason }],
  })
  const tool = body.tools?.find((t) => t.function.name.endsWith('__echo'))?.function.name
  const parts = [sse(chunk({ role: 'assistant', content: '' }))]
  if (done < steps && tool) {
    parts.push(
      sse(
        chunk({
          tool_calls: [
            { index: 0, id: `call_${done}`, type: 'function', function: { name: tool, arguments: '' } },
          ],
        }),
      ),
      sse(chunk({ tool_calls: [{ index: 0, function: { arguments: `{"message":"step ${done}"}` } }] })),
      sse(chunk({}, 'tool_calls')),
    )
  } else {
    for (const word of ['The ', 'answer ', 'is ', 'here.']) parts.push(sse(chunk({ content: word })))
    parts.push(sse(chunk({}, 'stop')))
  }
  parts.push(sse({ ...base, choices: [], usage }), 'data: [DONE]\n\n')
  return encoder.encode(parts.join(''))
}

const upstream = Bun.serve({
  port: 0,
  hostname: '127.0.0.1',
  async fetch(req) {
    if (new URL(req.url).pathname === '/busy') {
      const busy = { upstreamMs, mcpMs, mcpRequests }
      upstreamMs = 0
      mcpMs = 0
      mcpRequests = 0
      return Response.json(busy)
    }
    const started = performance.now()
    const body = answer((await req.json()) as Req)
    // The body is written in one piece as soon as this returns.
    upstreamMs += performance.now() - started
    return new Response(body, { headers: { 'content-type': 'text/event-stream' } })
  },
})

console.log(
  JSON.stringify({
    upstream: `http://127.0.0.1:${upstream.port}/v1`,
    mcp: `http://127.0.0.1:${(mcp.address() as { port: number }).port}/mcp`,
  }),
)
