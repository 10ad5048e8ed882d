import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js'
import { isJson, PARSE, parseMessages, readBody, requestInfo, rpcError } from './jsonrpc-body'
import { messageEvent, type SseLimits, SseStream, sseHeaders } from './sse-stream'

export type WebSseOptions = SseLimits & {
  /** Where the client POSTs its messages, e.g. '/sse/message'; `?sessionId=<id>` is appended. */
  endpoint: string
  /** The largest POST body read (default 4 MiB), answered 413 beyond. */
  maxBodyBytes?: number
}

/**
 * The legacy HTTP+SSE transport (protocol 2024-11-05) on Web-standard Request/Response, for Bun: the
 * SDK's SSEServerTransport needs Node's ServerResponse. A GET is answered with `response()`, an SSE
 * stream whose first event names the POST endpoint; each POST goes to `handlePost` and is answered 202,
 * while replies travel as `event: message` on the stream.
 *
 * `send` after the session closed rejects with 'Not connected' (as the SDK's transports do), so a
 * request the Server sends fails at once instead of waiting for its timeout; it never calls onerror.
 */
export class WebSseServerTransport implements Transport {
  readonly sessionId: string = crypto.randomUUID()
  onclose?: () => void
  onerror?: (error: Error) => void
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void

  readonly #endpoint: string
  readonly #maxBodyBytes: number
  readonly #stream: SseStream
  #started = false
  #responded = false
  #closed = false

  constructor(opts: WebSseOptions) {
    this.#endpoint = endpointWithSession(opts.endpoint, this.sessionId)
    this.#maxBodyBytes = opts.maxBodyBytes ?? 4 * 1024 * 1024
    // The client went away or stopped reading: the session ends.
    this.#stream = new SseStream(opts, (error) => {
      if (error) this.onerror?.(error)
      this.#finish()
    })
  }

  /** The GET response: the SSE stream. The endpoint event is written by start(), i.e. once a Server is connected. */
  response(): Response {
    if (this.#responded) throw new Error('WebSseServerTransport.response() was already called')
    this.#responded = true
    return new Response(this.#stream.body, { headers: sseHeaders })
  }

  async start(): Promise<void> {
    if (this.#started) throw new Error('WebSseServerTransport already started')
    this.#started = true
    // Sent only now, so no POST can arrive before the Server has set onmessage.
    this.#stream.write(`event: endpoint\ndata: ${this.#endpoint}\n\n`)
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.#closed) throw new Error('Not connected')
    this.#stream.write(messageEvent(message))
  }

  /** Ends the stream (what was written is still delivered) and calls onclose once. */
  async close(): Promise<void> {
    this.#stream.end()
    this.#finish()
  }

  /** A POST to the endpoint: each JSON-RPC message goes to onmessage; 202 once they all did. */
  async handlePost(request: Request, extra: { authInfo?: AuthInfo } = {}): Promise<Response> {
    if (this.#closed) return rpcError(404, -32001, 'Session not found')
    if (!isJson(request.headers.get('content-type'))) {
      return rpcError(415, -32000, 'Unsupported Media Type: Content-Type must be application/json')
    }
    const body = await readBody(request, this.#maxBodyBytes).catch(() => null)
    if (body === null) return rpcError(400, -32700, 'Parse error: the body could not be read')
    if (body === undefined) {
      return rpcError(413, -32000, `Payload Too Large: the body must not exceed ${this.#maxBodyBytes} bytes`)
    }
    const parsed = parseMessages(body)
    if (typeof parsed === 'string') return rpcError(400, parsed === 'json' ? -32700 : -32600, PARSE[parsed])
    // The stream may have closed while the body was read.
    if (this.#closed) return rpcError(404, -32001, 'Session not found')
    const info = requestInfo(request, extra.authInfo)
    for (const message of parsed) this.onmessage?.(message, info)
    return new Response('Accepted', { status: 202 })
  }

  #finish() {
    if (this.#closed) return
    this.#closed = true
    this.onclose?.()
  }
}

/** The endpoint as a relative URL with the session id: SDK clients resolve it against the SSE URL. */
function endpointWithSession(endpoint: string, sessionId: string): string {
  const url = new URL(endpoint, 'http://localhost')
  url.searchParams.set('sessionId', sessionId)
  return url.pathname + url.search
}
