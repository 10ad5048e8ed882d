import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import {
  type JSONRPCMessage,
  JSONRPCMessageSchema,
  type MessageExtraInfo,
} from '@modelcontextprotocol/sdk/types.js'
import { readUpTo } from '../../shared/body'

export type WebSseOptions = {
  /** Where the client POSTs its messages, e.g. '/sse/message'; `?sessionId=<id>` is appended. */
  endpoint: string
  /** An SSE comment every so often keeps proxies from dropping a quiet stream (default 15 s; 0: none). */
  keepAliveMs?: number
  /** The largest POST body read (default 4 MiB), answered 413 beyond. */
  maxBodyBytes?: number
  /** Messages waiting for a client that does not read; beyond this the session is closed (default 1,000). */
  maxQueuedMessages?: number
  /** Bytes waiting for a client that does not read; beyond this the session is closed (default 8 MiB). */
  maxQueuedBytes?: number
}

const MiB = 1024 * 1024
/** The SDK's own bound on a JSON-RPC batch (server/requestBody.js). */
const MAX_BATCH = 100
/** What the stream itself holds before our queue counts as waiting (Bun pulls as the socket drains). */
const STREAM_HIGH_WATER = 64 * 1024
const encoder = new TextEncoder()

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
  readonly #keepAliveMs: number
  readonly #maxBodyBytes: number
  readonly #maxQueuedMessages: number
  readonly #maxQueuedBytes: number
  readonly #stream: ReadableStream<Uint8Array>
  #controller!: ReadableStreamDefaultController<Uint8Array>
  /** Events the stream has not taken yet, oldest first: the client is slower than the server. */
  readonly #queue: Uint8Array[] = []
  #queuedBytes = 0
  #started = false
  #responded = false
  #closed = false
  #keepAlive: ReturnType<typeof setInterval> | undefined

  constructor(opts: WebSseOptions) {
    this.#endpoint = endpointWithSession(opts.endpoint, this.sessionId)
    this.#keepAliveMs = opts.keepAliveMs ?? 15_000
    this.#maxBodyBytes = opts.maxBodyBytes ?? 4 * MiB
    this.#maxQueuedMessages = opts.maxQueuedMessages ?? 1_000
    this.#maxQueuedBytes = opts.maxQueuedBytes ?? 8 * MiB
    this.#stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller
        },
        pull: () => this.#drain(),
        // The client went away (Bun cancels the body when the connection closes).
        cancel: () => this.#finish(),
      },
      new ByteLengthQueuingStrategy({ highWaterMark: STREAM_HIGH_WATER }),
    )
  }

  /** The GET response: the SSE stream. The endpoint event is written by start(), i.e. once a Server is connected. */
  response(): Response {
    if (this.#responded) throw new Error('WebSseServerTransport.response() was already called')
    this.#responded = true
    return new Response(this.#stream, {
      headers: {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-cache, no-transform',
        // Tells nginx not to buffer the stream.
        'X-Accel-Buffering': 'no',
      },
    })
  }

  async start(): Promise<void> {
    if (this.#started) throw new Error('WebSseServerTransport already started')
    this.#started = true
    if (this.#closed) return
    // Sent only now, so no POST can arrive before the Server has set onmessage.
    this.#write(`event: endpoint\ndata: ${this.#endpoint}\n\n`)
    if (this.#keepAliveMs > 0) {
      this.#keepAlive = setInterval(() => this.#keepAliveTick(), this.#keepAliveMs)
    }
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.#closed) throw new Error('Not connected')
    this.#write(`event: message\ndata: ${JSON.stringify(message)}\n\n`)
  }

  /** Ends the stream (what was written is still delivered) and calls onclose once. */
  async close(): Promise<void> {
    if (this.#closed) return
    try {
      this.#controller.close()
    } catch {
      // Already errored or closed by the runtime.
    }
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
    const info: MessageExtraInfo = {
      requestInfo: { headers: Object.fromEntries(request.headers), url: new URL(request.url) },
      ...(extra.authInfo ? { authInfo: extra.authInfo } : {}),
    }
    for (const message of parsed) this.onmessage?.(message, info)
    return new Response('Accepted', { status: 202 })
  }

  #write(text: string) {
    const bytes = encoder.encode(text)
    this.#queue.push(bytes)
    this.#queuedBytes += bytes.byteLength
    this.#drain()
    if (this.#queue.length > this.#maxQueuedMessages || this.#queuedBytes > this.#maxQueuedBytes) {
      this.#overflow()
    }
  }

  /** Hands queued events to the stream while it wants more; the rest waits for the next pull. */
  #drain() {
    while (this.#queue.length > 0 && (this.#controller.desiredSize ?? 0) > 0) {
      const bytes = this.#queue.shift() as Uint8Array
      this.#queuedBytes -= bytes.byteLength
      this.#controller.enqueue(bytes)
    }
  }

  /** The client stopped reading: rather than hold its messages without bound, the session ends. */
  #overflow() {
    const error = new Error(
      `SSE client is not reading: ${this.#queue.length} messages (${this.#queuedBytes} bytes) waiting; session closed`,
    )
    // error(), not close(): a graceful close would wait for the client to read what is queued.
    this.#controller.error(error)
    this.onerror?.(error)
    this.#finish()
  }

  #keepAliveTick() {
    // A comment adds nothing to a backlog: when events are waiting the stream is not idle anyway.
    if (this.#queue.length === 0) this.#write(': keep-alive\n\n')
  }

  #finish() {
    if (this.#closed) return
    this.#closed = true
    clearInterval(this.#keepAlive)
    this.#queue.length = 0
    this.#queuedBytes = 0
    this.onclose?.()
  }
}

/** The endpoint as a relative URL with the session id: SDK clients resolve it against the SSE URL. */
function endpointWithSession(endpoint: string, sessionId: string): string {
  const url = new URL(endpoint, 'http://localhost')
  url.searchParams.set('sessionId', sessionId)
  return url.pathname + url.search
}

function isJson(contentType: string | null): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/json'
}

/** The body as text, or undefined when it is larger than `max` bytes (stops reading there). */
async function readBody(request: Request, max: number): Promise<string | undefined> {
  if (Number(request.headers.get('content-length')) > max) return undefined
  return request.body ? readUpTo(request.body, max) : ''
}

const PARSE = {
  json: 'Parse error: Invalid JSON',
  message: 'Invalid Request: not a JSON-RPC message',
  batch: `Invalid Request: a batch holds 1 to ${MAX_BATCH} messages`,
} as const

/** One message or a batch of them, or what is wrong with the body. */
function parseMessages(body: string): JSONRPCMessage[] | keyof typeof PARSE {
  let raw: unknown
  try {
    raw = JSON.parse(body)
  } catch {
    return 'json'
  }
  const list = Array.isArray(raw) ? raw : [raw]
  if (list.length === 0 || list.length > MAX_BATCH) return 'batch'
  const messages: JSONRPCMessage[] = []
  for (const item of list) {
    const result = JSONRPCMessageSchema.safeParse(item)
    if (!result.success) return 'message'
    messages.push(result.data)
  }
  return messages
}

function rpcError(status: number, code: number, message: string): Response {
  return Response.json({ jsonrpc: '2.0', error: { code, message }, id: null }, { status })
}
