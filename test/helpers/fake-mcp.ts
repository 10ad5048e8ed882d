import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js'

/**
 * A streamable-HTTP MCP server with one `echo` tool that counts the sessions it opened and the ones still
 * open (not closed by a DELETE), can forget them all as a restart would (they then answer 404), and can
 * take its time over each initialize.
 */
export async function fakeMcp({ initDelayMs = 0 }: { initDelayMs?: number } = {}) {
  const transports = new Map<string, StreamableHTTPServerTransport>()
  const stats = { initialized: 0, live: new Set<string>() }

  async function newSession() {
    stats.initialized++
    if (initDelayMs) await Bun.sleep(initDelayMs)
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      enableJsonResponse: true,
      onsessioninitialized: (sid) => {
        transports.set(sid, transport)
        stats.live.add(sid)
      },
      onsessionclosed: (sid) => void stats.live.delete(sid),
    })
    const server = new Server({ name: 'fake', version: '1.0.0' }, { capabilities: { tools: {} } })
    server.setRequestHandler(ListToolsRequestSchema, async () => ({
      tools: [{ name: 'echo', inputSchema: { type: 'object', properties: {} } }],
    }))
    server.setRequestHandler(CallToolRequestSchema, async () => ({
      content: [{ type: 'text', text: 'echoed' }],
    }))
    await server.connect(transport)
    return transport
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined
    const id = req.headers['mcp-session-id'] as string | undefined
    if (id && !transports.has(id)) return void res.writeHead(404).end()
    const transport = id ? transports.get(id) : await newSession()
    await transport?.handleRequest(req, res, body)
  }

  const server = createServer((req, res) => void handle(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/mcp`,
    stats,
    /** The server restarts: every session it had answers 404, and none of them is open any more. */
    forget() {
      transports.clear()
      stats.live.clear()
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
