import { createServer } from 'node:http'
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js'
import { ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js'

/**
 * An MCP server (the SDK's) on the SSE transport only, at `/sse` with POSTs to `/messages`; any other
 * request is 404 (so `auto`'s streamable HTTP try gets one). It can forget its sessions while their
 * streams stay open (their POSTs then answer 404, as behind a load balancer that lost them), and can
 * answer every POST with a status of the test's choosing.
 */
export async function fakeSseMcp() {
  const transports = new Map<string, SSEServerTransport>()
  const stats = { initialized: 0 }
  let posts: 'ok' | number = 'ok'
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake')
    if (req.method === 'GET' && url.pathname === '/sse') {
      const transport = new SSEServerTransport('/messages', res)
      transports.set(transport.sessionId, transport)
      const mcp = new Server({ name: 'fake-sse', version: '1.0.0' }, { capabilities: { tools: {} } })
      mcp.setRequestHandler(ListToolsRequestSchema, async () => ({
        tools: [{ name: 'echo', inputSchema: { type: 'object', properties: {} } }],
      }))
      mcp.oninitialized = () => {
        stats.initialized++
      }
      await mcp.connect(transport)
      return
    }
    if (req.method === 'POST' && url.pathname === '/messages') {
      if (posts !== 'ok') return void res.writeHead(posts).end('boom')
      const transport = transports.get(url.searchParams.get('sessionId') ?? '')
      if (!transport) return void res.writeHead(404).end('Session not found')
      return transport.handlePostMessage(req, res)
    }
    res.writeHead(404).end('not here')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/sse`,
    stats,
    /** Forgets every session; their streams stay open, their POSTs answer 404. */
    forget() {
      transports.clear()
    },
    /** What every POST answers from now on: as MCP (`ok`), or this status. */
    answerPosts(next: 'ok' | number) {
      posts = next
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
