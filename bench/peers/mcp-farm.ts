// Many MCP servers in one process for benchmarks: every path answers streamable HTTP through the official
// SDK (one McpServer per session), the way a real server built on the SDK would.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'

const sessions = new Map<string, WebStandardStreamableHTTPServerTransport>()

async function newSession(req: Request): Promise<Response> {
  const server = new McpServer({ name: 'bench-farm', version: '1.0.0' })
  server.registerTool('echo', { description: 'Echoes its input' }, async () => ({
    content: [{ type: 'text', text: 'ok' }],
  }))
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: () => crypto.randomUUID(),
    enableJsonResponse: true,
    onsessioninitialized: (id) => {
      sessions.set(id, transport)
    },
    onsessionclosed: (id) => {
      sessions.delete(id)
    },
  })
  await server.connect(transport)
  return transport.handleRequest(req)
}

const server = Bun.serve({
  port: Number(process.argv[2] ?? 0),
  hostname: '127.0.0.1',
  idleTimeout: 0, // sessions keep a GET stream open for notifications
  async fetch(req) {
    const id = req.headers.get('mcp-session-id')
    if (!id) return req.method === 'POST' ? newSession(req) : new Response(null, { status: 405 })
    const transport = sessions.get(id)
    return transport ? transport.handleRequest(req) : new Response(null, { status: 404 })
  },
})
console.log(JSON.stringify({ port: server.port }))
