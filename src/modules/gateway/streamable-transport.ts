import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js'
import {
  type JSONRPCMessage,
  type MessageExtraInfo,
  type RequestId,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/sdk/types.js'
import { isJson, messagesOf, PARSE, parseMessages, readBody, requestInfo, rpcError } from './jsonrpc-body'
import { messageEvent, type SseLimits, SseStream, sseHeaders } from './sse-stream'

export type WebStreamableOptions = SseLimits & {
  /** The session's id, sent in `Mcp-Session-Id` once its `initialize` was taken. */
  sessionId: string
  onsessioninitialized?: (id: string) => void
  onsessionclosed?: (id: string) => void
  /** The largest POST body read (default 4 MiB), answered 413 beyond. */
  maxBodyBytes?: number
  /** How long a POST's JSON answer is waited for before its SSE stream opens anyway (default 5 s). */
  streamAfterMs?: number
}

/** A POST's requests, answered together: as JSON, or on the stream opened for them. */
type Exchange = {
  ids: RequestId[]
  answers: Map<RequestId, JSONRPCMessage>
  respond: (response: Response) => void
  stream?: SseStream
  timer?: ReturnType<typeof setTimeout>
}

const isAnswer = (m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId } =>
  ('result' in m || 'error' in m) && (m as { id?: RequestId }).id !== undefined
const isRequest = (m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId; method: string } =>
  'method' in m && 'id' in m

/**
 * Bun sends a streamed response's head only with its first bytes: a stream opened with nothing to say
 * yet (a slow call's, the GET's) says this, or its client would wait for the head until the first event.
 */
const OPENED = ': open\n\n'

/**
 * The streamable HTTP transport (protocol 2025-03-26 and later) on Web-standard Request/Response, one
 * per session. The SDK's WebStandardStreamableHTTPServerTransport opens an SSE stream for every POST,
 * unless set to answer JSON always, and then it drops a call's progress and the server's requests of
 * the client. Here a POST is answered as plain JSON when its answers come first, and its SSE stream
 * opens the moment the server sends something else for it (progress, a request of the client) or after
 * `streamAfterMs`, so that a slow call keeps its connection alive. A JSON answer costs AutoMCP and the
 * client a fraction of a stream's (bench:gateway).
 *
 * Without resumability (no event store): a stream the client drops loses what was left to send on it.
 */
export class WebStreamableServerTransport implements Transport {
  sessionId?: string
  onclose?: () => void
  onerror?: (error: Error) => void
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void

  readonly #options: WebStreamableOptions
  readonly #maxBodyBytes: number
  readonly #streamAfterMs: number
  /** The POST each request in flight came in, by its id. */
  readonly #exchanges = new Map<RequestId, Exchange>()
  /** The GET stream: what the server sends outside of any request. */
  #standalone: SseStream | undefined
  #initialized = false
  #started = false
  #closed = false

  constructor(options: WebStreamableOptions) {
    this.#options = options
    this.#maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024
    this.#streamAfterMs = options.streamAfterMs ?? 5_000
  }

  async start(): Promise<void> {
    if (this.#started) throw new Error('WebStreamableServerTransport already started')
    this.#started = true
  }

  /** A request to the session's endpoint; `parsedBody` when the caller already read a POST's body. */
  async handleRequest(request: Request, options: { parsedBody?: unknown } = {}): Promise<Response> {
    switch (request.method) {
      case 'POST':
        return this.#post(request, options.parsedBody)
      case 'GET':
        return this.#get(request)
      case 'DELETE':
        return this.#delete(request)
      default:
        return rpcError(405, -32000, 'Method not allowed.', { Allow: 'GET, POST, DELETE' })
    }
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.#closed) throw new Error('Not connected')
    const related = isAnswer(message) ? message.id : options?.relatedRequestId
    if (related === undefined) {
      // Outside of any request: on the GET stream if the client opened one (else, as the SDK, dropped).
      this.#standalone?.write(messageEvent(message))
      return
    }
    const exchange = this.#exchanges.get(related)
    if (!exchange) throw new Error(`No connection established for request ID: ${String(related)}`)
    if (!isAnswer(message)) {
      this.#streamOf(exchange).write(messageEvent(message))
      return
    }
    exchange.answers.set(message.id, message)
    exchange.stream?.write(messageEvent(message))
    if (exchange.answers.size < exchange.ids.length) return
    this.#settle(exchange)
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    for (const exchange of new Set(this.#exchanges.values())) this.#settle(exchange, true)
    this.#standalone?.end()
    this.onclose?.()
  }

  async #post(request: Request, parsedBody: unknown): Promise<Response> {
    const accept = request.headers.get('accept')
    if (!accept?.includes('application/json') || !accept.includes('text/event-stream'))
      return this.#refuse(
        406,
        'Not Acceptable: Client must accept both application/json and text/event-stream',
      )
    if (!isJson(request.headers.get('content-type')))
      return this.#refuse(415, 'Unsupported Media Type: Content-Type must be application/json')
    const messages = await this.#messagesOf(request, parsedBody)
    if (messages instanceof Response) return messages
    if (this.#closed) return rpcError(404, -32001, 'Session not found')
    const initializing = messages.some((m) => 'method' in m && m.method === 'initialize')
    const refused = initializing ? this.#initialize(messages) : this.#validate(request)
    if (refused) return refused
    const info = requestInfo(request)
    const requests = messages.filter(isRequest)
    const ids = requests.map((r) => r.id)
    // An id in use twice would leave one of the POSTs without its answer.
    if (new Set(ids).size < ids.length || ids.some((id) => this.#exchanges.has(id)))
      return this.#refuse(400, 'Invalid Request: a request id is already in use in this session', -32600)
    // Notifications and answers alone are taken with a 202; requests wait for their answers.
    const answered =
      requests.length > 0
        ? new Promise<Response>((respond) => {
            const exchange: Exchange = { ids, answers: new Map(), respond }
            for (const id of ids) this.#exchanges.set(id, exchange)
            exchange.timer = setTimeout(() => this.#streamOf(exchange).write(OPENED), this.#streamAfterMs)
          })
        : undefined
    for (const m of messages) {
      this.onmessage?.(m, info)
      this.#cancelled(m)
    }
    return answered ?? new Response(null, { status: 202 })
  }

  /**
   * The client cancelled a request: the SDK's Protocol will send no answer to it, so its POST is not
   * waited for on its account (else it, its stream and the id would be held until the session ends).
   */
  #cancelled(m: JSONRPCMessage) {
    if (!('method' in m) || m.method !== 'notifications/cancelled') return
    const id = (m.params as { requestId?: RequestId } | undefined)?.requestId
    const exchange = id === undefined ? undefined : this.#exchanges.get(id)
    if (!exchange || exchange.answers.has(id as RequestId)) return
    this.#exchanges.delete(id as RequestId)
    exchange.ids = exchange.ids.filter((x) => x !== id)
    if (exchange.answers.size < exchange.ids.length) return
    // Nothing at all to answer: an SSE stream, ended at once (a JSON body would have no message).
    if (exchange.ids.length === 0) this.#streamOf(exchange)
    this.#settle(exchange)
  }

  /** The POST's messages, or the error answering a body that is too large, not JSON or not JSON-RPC. */
  async #messagesOf(request: Request, parsedBody: unknown): Promise<JSONRPCMessage[] | Response> {
    if (parsedBody !== undefined) {
      const parsed = messagesOf(parsedBody)
      return typeof parsed === 'string' ? this.#refuse(400, PARSE[parsed], -32600) : parsed
    }
    const body = await readBody(request, this.#maxBodyBytes).catch(() => null)
    if (body === null) return this.#refuse(400, 'Parse error: the body could not be read', -32700)
    if (body === undefined)
      return this.#refuse(413, `Payload Too Large: the body must not exceed ${this.#maxBodyBytes} bytes`)
    const parsed = parseMessages(body)
    if (typeof parsed === 'string')
      return this.#refuse(400, PARSE[parsed], parsed === 'json' ? -32700 : -32600)
    return parsed
  }

  /** An `initialize` opens the session once, alone in its POST. */
  #initialize(messages: JSONRPCMessage[]): Response | undefined {
    if (this.#initialized) return this.#refuse(400, 'Invalid Request: Server already initialized', -32600)
    if (messages.length > 1)
      return this.#refuse(400, 'Invalid Request: Only one initialization request is allowed', -32600)
    this.#initialized = true
    this.sessionId = this.#options.sessionId
    this.#options.onsessioninitialized?.(this.sessionId)
    return undefined
  }

  /** Any other request names this session, still open, at a protocol revision the SDK speaks. */
  #validate(request: Request): Response | undefined {
    if (this.#closed) return rpcError(404, -32001, 'Session not found')
    if (!this.#initialized) return this.#refuse(400, 'Bad Request: Server not initialized')
    const id = request.headers.get('mcp-session-id')
    if (!id) return this.#refuse(400, 'Bad Request: Mcp-Session-Id header is required')
    if (id !== this.sessionId) return rpcError(404, -32001, 'Session not found')
    const version = request.headers.get('mcp-protocol-version')
    if (version !== null && !SUPPORTED_PROTOCOL_VERSIONS.includes(version))
      return this.#refuse(
        400,
        `Bad Request: Unsupported protocol version: ${version} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`,
      )
    return undefined
  }

  /** `GET`: the session's one stream of what the server sends outside of requests. */
  #get(request: Request): Response {
    if (!request.headers.get('accept')?.includes('text/event-stream'))
      return this.#refuse(406, 'Not Acceptable: Client must accept text/event-stream')
    const refused = this.#validate(request)
    if (refused) return refused
    if (this.#standalone && !this.#standalone.ended)
      return this.#refuse(409, 'Conflict: Only one SSE stream is allowed per session')
    const stream = new SseStream(this.#options, (error) => {
      if (error) this.onerror?.(error)
      if (this.#standalone === stream) this.#standalone = undefined
    })
    this.#standalone = stream
    stream.write(OPENED)
    return this.#sse(stream)
  }

  /** `DELETE`: the client ends the session. */
  async #delete(request: Request): Promise<Response> {
    const refused = this.#validate(request)
    if (refused) return refused
    this.#options.onsessionclosed?.(this.sessionId as string)
    await this.close()
    return new Response(null, { status: 200 })
  }

  /** The exchange's SSE stream, opened (and its response sent) if it was still to answer as JSON. */
  #streamOf(exchange: Exchange): SseStream {
    if (exchange.stream) return exchange.stream
    clearTimeout(exchange.timer)
    const stream = new SseStream(this.#options, (error) => error && this.onerror?.(error))
    exchange.stream = stream
    exchange.respond(this.#sse(stream))
    // A batch's requests answered while it was still to be JSON: their answers go on the stream first.
    for (const answer of exchange.answers.values()) stream.write(messageEvent(answer))
    return stream
  }

  /** All of an exchange's requests are answered (or the session closed): its response ends. */
  #settle(exchange: Exchange, closing = false) {
    clearTimeout(exchange.timer)
    for (const id of exchange.ids) this.#exchanges.delete(id)
    if (exchange.stream) return exchange.stream.end()
    if (closing) return exchange.respond(rpcError(404, -32001, 'Session not found'))
    const answers = exchange.ids.map((id) => exchange.answers.get(id))
    const body = JSON.stringify(answers.length === 1 ? answers[0] : answers)
    exchange.respond(new Response(body, { headers: this.#headers({ 'Content-Type': 'application/json' }) }))
  }

  #sse(stream: SseStream): Response {
    return new Response(stream.body, { headers: this.#headers(sseHeaders) })
  }

  #headers(base: Record<string, string>): Record<string, string> {
    return this.sessionId === undefined ? base : { ...base, 'mcp-session-id': this.sessionId }
  }

  #refuse(status: number, message: string, code = -32000): Response {
    this.onerror?.(new Error(message))
    return rpcError(status, code, message)
  }
}
