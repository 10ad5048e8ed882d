// The MCP servers of bench:gateway, in one process apart from AutoMCP and the benchmark: an `echo` server
// that answers at once, and `argv[2]` servers (50) with `argv[3]` tools each (20), every one the SDK's
// low-level `Server` on the Web-standard streamable HTTP transport (JSON answers, one session per client)
// on its own port. Prints their URLs as one JSON line.
import { randomUUID } from 'node:crypto'
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import { CallToolRequestSchema, ListToolsRequestSchema, type Tool } from '@modelcontextprotocol/sdk/types.js'

const servers = Number(process.argv[2] ?? 50)
const toolsEach = Number(process.argv[3] ?? 20)

/** One port serving a fresh SDK server per session. */
function serve(name: string, tools: Tool[]) {
  const transports = new Map<string, WebStandardStreamableHTTPServerTransport>()
  const newServer = () => {
    const server = new Server({ name, version: '1.0.0' }, { capabilities: { tools: {} } })
    server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }))
    server.setRequestHandler(CallToolRequestSchema, async (req) => ({
      content: [{ type: 'text', text: `Echo: ${String(req.params.arguments?.message)}` }],
    }))
    return server
  }
  const http = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    // The clients' streams of server messages (GET) stay open as long as they like.
    idleTimeout: 0,
    async fetch(req) {
      const id = req.headers.get('mcp-session-id')
      if (id) {
        const transport = transports.get(id)
        return transport ? transport.handleRequest(req) : new Response(null, { status: 404 })
      }
      const transport: WebStandardStreamableHTTPServerTransport =
        new WebStandardStreamableHTTPServerTransport({
          sessionIdGenerator: randomUUID,
          enableJsonResponse: true,
          onsessioninitialized: (sid) => void transports.set(sid, transport),
          onsessionclosed: (sid) => void transports.delete(sid),
        })
      await newServer().connect(transport)
      return transport.handleRequest(req)
    },
  })
  return `http://127.0.0.1:${http.port}/mcp`
}

const echoTool: Tool = {
  name: 'echo',
  description: 'Echoes the message back',
  inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
}

// Tools of a realistic size: a sentence of description and a few typed arguments (~400 bytes of JSON).
const verbs = ['read', 'write', 'list', 'search', 'create', 'delete', 'update', 'fetch', 'send', 'check']
const nouns = ['file', 'issue', 'page', 'record', 'message', 'ticket', 'image', 'event', 'user', 'report']
const farmTools = (s: number): Tool[] =>
  Array.from({ length: toolsEach }, (_, i) => {
    const verb = verbs[(s + i) % verbs.length] as string
    const noun = nouns[(s * 3 + i) % nouns.length] as string
    return {
      name: `${verb}_${noun}_${i}`,
      description: `${verb[0]?.toUpperCase()}${verb.slice(1)} a ${noun} of service ${s}, by its id or by a query over its title and contents.`,
      inputSchema: {
        type: 'object',
        properties: {
          id: { type: 'string', description: `The ${noun}'s id` },
          query: { type: 'string', description: 'Words to match' },
          limit: { type: 'integer', minimum: 1, maximum: 100, description: 'How many at most' },
        },
      },
    }
  })

console.log(
  JSON.stringify({
    echo: serve('bench-echo', [echoTool]),
    farm: Array.from({ length: servers }, (_, s) => serve(`bench-farm-${s}`, farmTools(s))),
  }),
)
