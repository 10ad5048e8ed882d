import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js'

export type ScriptedTool = { name: string; description?: string; inputSchema: Record<string, unknown> }
/** What a `tools/call` answers: a result, or a throw (an McpError goes back as a JSON-RPC error). */
export type ScriptedCall = (
  name: string,
  args: Record<string, unknown> | undefined,
  /** Aborted when the client cancels the call (`notifications/cancelled`). */
  signal: AbortSignal,
) => Promise<unknown>

const calledName: ScriptedCall = async (name) => ({ content: [{ type: 'text', text: `called ${name}` }] })

/**
 * An MCP server (the SDK's, on streamable HTTP) listing whatever tools a test gives it, including what
 * the reference server never lists: repeated names, giant schemas, hundreds of tools; and answering calls
 * as `call` says, JSON-RPC errors included (the SDK's McpServer would wrap those as tool errors).
 */
export async function scriptedMcp(tools: ScriptedTool[], call: ScriptedCall = calledName) {
  const transports = new Map<string, StreamableHTTPServerTransport>()
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString()) : undefined
    const id = req.headers['mcp-session-id'] as string | undefined
    let transport = id ? transports.get(id) : undefined
    if (!transport) {
      if (id) return res.writeHead(404).end()
      const fresh = new StreamableHTTPServerTransport({
        sessionIdGenerator: randomUUID,
        enableJsonResponse: true,
        onsessioninitialized: (sid) => {
          transports.set(sid, fresh)
        },
      })
      const mcp = new Server({ name: 'scripted', version: '1.0.0' }, { capabilities: { tools: {} } })
      mcp.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }))
      mcp.setRequestHandler(
        CallToolRequestSchema,
        async (r, extra) => (await call(r.params.name, r.params.arguments, extra.signal)) as { content: [] },
      )
      await mcp.connect(fresh)
      transport = fresh
    }
    await transport.handleRequest(req, res, body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/mcp`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
