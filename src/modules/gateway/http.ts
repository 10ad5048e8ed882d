// The gateway's two HTTP transports: streamable HTTP at `/mcp[/{toolset}]` (one transport per session,
// keyed by `Mcp-Session-Id`) and the legacy HTTP+SSE transport at
// `/sse[/{toolset}]` with its POST endpoint. A session belongs to the key that opened it and to its
// endpoint: another key, or another endpoint, does not find it.
import { readBody } from './jsonrpc-body'
import type { GatewayService, GatewaySession } from './service'

// What the SDK's transports take (4 MiB), as the front door does for /mcp and /sse.
export const maxBodyBytes = 4 * 1024 * 1024

/** A JSON-RPC error as an MCP client reads it, with AutoMCP's `{ detail, code }` beside it. */
export function rpcError(status: number, code: string, detail: string, rpcCode = -32000): Response {
  return Response.json(
    { jsonrpc: '2.0', error: { code: rpcCode, message: detail }, id: null, detail, code },
    { status },
  )
}

const noSession = () =>
  rpcError(404, 'session_not_found', 'Session not found: start a new one with initialize', -32001)

const noToolset = (name: string) =>
  rpcError(404, 'toolset_not_found', `No toolset named ${JSON.stringify(name)}`)

export type GatewayHttp = ReturnType<typeof createGatewayHttp>

export function createGatewayHttp(service: GatewayService, settings: { maxSessionsPerKey: number }) {
  const { sessions } = service
  // Sessions being initialised, per key: counted against the cap before they are registered, so that
  // initialize requests sent at once cannot pass it.
  const opening = new Map<string, number>()
  const reserve = (owner: string, by: number) => {
    const n = (opening.get(owner) ?? 0) + by
    if (n > 0) opening.set(owner, n)
    else opening.delete(owner)
  }

  /** The session a request names, if it is the caller's and on this endpoint and transport. */
  function find(id: string | null, owner: string, endpoint: string, transport: GatewaySession['transport']) {
    const s = id ? sessions.get(id) : undefined
    if (!s || s.owner !== owner || s.endpoint !== endpoint || s.transport !== transport) return undefined
    service.touch(s)
    return s
  }

  function newSession(
    id: string,
    owner: string,
    endpoint: string,
    transport: GatewaySession['transport'],
  ): GatewaySession | Response {
    if (service.countOf(owner) + (opening.get(owner) ?? 0) >= settings.maxSessionsPerKey)
      return rpcError(
        429,
        'too_many_sessions',
        `This key has ${settings.maxSessionsPerKey} MCP sessions open (AUTOMCP_GATEWAY_SESSIONS_PER_KEY): close one (DELETE) or let one expire`,
      )
    return {
      id,
      owner,
      endpoint,
      transport,
      close: async () => {},
      lastSeen: Date.now(),
      subscriptions: new Map(),
      calls: new Map(),
      pending: new Set(),
      toldAt: 0,
    }
  }

  /** `/mcp`: POST (initialize opens a session), GET (the server's stream), DELETE (ends it). */
  async function streamable(request: Request, owner: string, endpoint: string): Promise<Response> {
    if (!service.serves(endpoint)) return noToolset(endpoint)
    const sdk = await service.loadSdk()
    const id = request.headers.get('mcp-session-id')
    if (id) {
      const s = find(id, owner, endpoint, 'streamable-http')
      return s?.handle ? s.handle(request) : noSession()
    }
    if (request.method !== 'POST')
      return rpcError(400, 'session_required', 'Mcp-Session-Id header is required (start with initialize)')
    // The transport caps the requests it reads; this first one is read here, capped the same way.
    const text = await readBody(request, maxBodyBytes)
    if (text === undefined)
      return rpcError(413, 'payload_too_large', `The body is over ${maxBodyBytes} bytes`, -32600)
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      return rpcError(400, 'invalid_json', 'Parse error: the body is not JSON', -32700)
    }
    if (!sdk.isInitializeRequest(body))
      return rpcError(400, 'session_required', 'Mcp-Session-Id header is required (start with initialize)')
    const sessionId = crypto.randomUUID()
    const s = newSession(sessionId, owner, endpoint, 'streamable-http')
    if (s instanceof Response) return s
    reserve(owner, 1)
    try {
      return await initialize(sdk, s, request, body)
    } finally {
      reserve(owner, -1)
    }
  }

  /** A new streamable HTTP session answers its `initialize`; registered once the SDK accepted it. */
  async function initialize(
    sdk: Awaited<ReturnType<GatewayService['loadSdk']>>,
    s: GatewaySession,
    request: Request,
    body: unknown,
  ) {
    const transport = new sdk.WebStreamableServerTransport({
      sessionId: s.id,
      maxBodyBytes,
      onsessioninitialized: () => void sessions.set(s.id, s),
      onsessionclosed: () => void s.close(),
    })
    const server = await sdk.createGatewayServer(service.context(s), transport)
    s.server = server
    s.close = () => server.close()
    s.handle = (r) => transport.handleRequest(r)
    server.onclose = () => void service.ended(s)
    const response = await transport.handleRequest(request, { parsedBody: body })
    if (!sessions.has(s.id)) await server.close().catch(() => {})
    return response
  }

  /** `GET /sse`: a legacy session's stream, whose first event names where to POST. */
  async function sseStream(owner: string, endpoint: string, postPath: string): Promise<Response> {
    if (!service.serves(endpoint)) return noToolset(endpoint)
    const sdk = await service.loadSdk()
    const transport = new sdk.WebSseServerTransport({ endpoint: postPath, maxBodyBytes })
    const s = newSession(transport.sessionId, owner, endpoint, 'sse')
    // A stream never handed out is ended here: its keep-alive timer would run until its queue overflowed.
    if (s instanceof Response) {
      await transport.close()
      return s
    }
    sessions.set(s.id, s)
    const server = await sdk.createGatewayServer(service.context(s), transport).catch(async (e) => {
      sessions.delete(s.id)
      await transport.close()
      throw e
    })
    s.server = server
    s.close = () => server.close()
    s.handle = (r) => transport.handlePost(r)
    server.onclose = () => void service.ended(s)
    return transport.response()
  }

  /** `POST /sse/message?sessionId=`: one message of a legacy session. */
  function ssePost(request: Request, owner: string, endpoint: string): Promise<Response> | Response {
    const id = new URL(request.url).searchParams.get('sessionId')
    const s = find(id, owner, endpoint, 'sse')
    return s?.handle ? s.handle(request) : noSession()
  }

  return { streamable, sseStream, ssePost }
}
