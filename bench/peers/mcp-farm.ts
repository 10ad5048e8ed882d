// Many MCP servers in one process for benchmarks: every path is an MCP server on the streamable HTTP
// transport, answering with JSON (the transport allows it) and no notification stream. It is written
// out by hand rather than with the SDK's server so that, on a 2-core machine, the stand-ins take as
// little CPU as possible from the process being measured.
const protocolVersions = new Set(['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'])
const sessions = new Set<string>()
const tools = [{ name: 'echo', description: 'Echoes its input', inputSchema: { type: 'object' } }]

type RpcRequest = {
  jsonrpc: '2.0'
  id?: number | string
  method: string
  params?: { protocolVersion?: string }
}

function answer(req: RpcRequest): unknown {
  switch (req.method) {
    case 'initialize': {
      const asked = req.params?.protocolVersion ?? ''
      return {
        protocolVersion: protocolVersions.has(asked) ? asked : '2025-11-25',
        capabilities: { tools: { listChanged: true } },
        serverInfo: { name: 'bench-farm', version: '1.0.0' },
      }
    }
    case 'ping':
      return {}
    case 'tools/list':
      return { tools }
    default:
      return undefined
  }
}

const server = Bun.serve({
  port: Number(process.argv[2] ?? 0),
  hostname: '127.0.0.1',
  async fetch(req) {
    const session = req.headers.get('mcp-session-id')
    if (req.method === 'DELETE')
      return new Response(null, { status: session && sessions.delete(session) ? 200 : 404 })
    if (req.method !== 'POST') return new Response(null, { status: 405 })
    const msg = (await req.json()) as RpcRequest
    if (msg.method !== 'initialize' && (!session || !sessions.has(session)))
      return new Response(null, { status: 404 })
    if (msg.id === undefined) return new Response(null, { status: 202 })
    const result = answer(msg)
    const body =
      result === undefined
        ? { jsonrpc: '2.0', id: msg.id, error: { code: -32601, message: `Method not found: ${msg.method}` } }
        : { jsonrpc: '2.0', id: msg.id, result }
    const headers: Record<string, string> = {}
    if (msg.method === 'initialize') {
      const id = crypto.randomUUID()
      sessions.add(id)
      headers['mcp-session-id'] = id
    }
    return Response.json(body, { headers })
  },
})
console.log(JSON.stringify({ port: server.port }))
