// One server-sent-events response body, written by the gateway's transports: events wait in a bounded
// queue while the client is slower than the server, and a client that stops reading ends the stream
// rather than being buffered for without bound.

export type SseLimits = {
  /** An SSE comment every so often keeps proxies from dropping a quiet stream (default 15 s; 0: none). */
  keepAliveMs?: number
  /** Messages waiting for a client that does not read; beyond this the stream is ended (default 1,000). */
  maxQueuedMessages?: number
  /** Bytes waiting for a client that does not read; beyond this the stream is ended (default 8 MiB). */
  maxQueuedBytes?: number
}

/** What the stream itself holds before our queue counts as waiting (Bun pulls as the socket drains). */
const STREAM_HIGH_WATER = 64 * 1024
const encoder = new TextEncoder()

/** A JSON-RPC message as the SSE event both transports send it in. */
export const messageEvent = (message: unknown) => `event: message\ndata: ${JSON.stringify(message)}\n\n`

export const sseHeaders = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache, no-transform',
  // Tells nginx not to buffer the stream.
  'X-Accel-Buffering': 'no',
}

export class SseStream {
  readonly body: ReadableStream<Uint8Array>
  #controller!: ReadableStreamDefaultController<Uint8Array>
  /** Events the stream has not taken yet, oldest first: the client is slower than the server. */
  readonly #queue: Uint8Array[] = []
  #queuedBytes = 0
  #ended = false
  #keepAlive: ReturnType<typeof setInterval> | undefined
  readonly #maxQueuedMessages: number
  readonly #maxQueuedBytes: number

  /** `onEnd` runs once, when the client went away, stopped reading (with the error) or end() was called. */
  constructor(
    limits: SseLimits,
    private readonly onEnd: (error?: Error) => void,
  ) {
    this.#maxQueuedMessages = limits.maxQueuedMessages ?? 1_000
    this.#maxQueuedBytes = limits.maxQueuedBytes ?? 8 * 1024 * 1024
    this.body = new ReadableStream<Uint8Array>(
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
    const every = limits.keepAliveMs ?? 15_000
    // A comment adds nothing to a backlog: when events are waiting the stream is not idle anyway.
    if (every > 0)
      this.#keepAlive = setInterval(() => this.#queue.length === 0 && this.write(': keep-alive\n\n'), every)
  }

  get ended() {
    return this.#ended
  }

  /** Queues `text` (whole SSE events); false once the stream has ended. */
  write(text: string): boolean {
    if (this.#ended) return false
    const bytes = encoder.encode(text)
    this.#queue.push(bytes)
    this.#queuedBytes += bytes.byteLength
    this.#drain()
    if (this.#queue.length > this.#maxQueuedMessages || this.#queuedBytes > this.#maxQueuedBytes) {
      this.#overflow()
      return false
    }
    return true
  }

  /** Ends the stream: it closes once what was written is delivered. */
  end() {
    if (this.#ended) return
    this.#finish()
    if (this.#queue.length === 0) this.#closeQuietly()
  }

  /** Hands queued events to the stream while it wants more; the rest waits for the next pull. */
  #drain() {
    while (this.#queue.length > 0 && (this.#controller.desiredSize ?? 0) > 0) {
      const bytes = this.#queue.shift() as Uint8Array
      this.#queuedBytes -= bytes.byteLength
      this.#controller.enqueue(bytes)
    }
    // Ended with events still waiting: the stream closes once they are taken.
    if (this.#ended && this.#queue.length === 0) this.#closeQuietly()
  }

  /** The client stopped reading: rather than hold its messages without bound, the stream ends. */
  #overflow() {
    const error = new Error(
      `SSE client is not reading: ${this.#queue.length} messages (${this.#queuedBytes} bytes) waiting; stream closed`,
    )
    this.#queue.length = 0
    this.#queuedBytes = 0
    // error(), not close(): a graceful close would wait for the client to read what is queued.
    this.#controller.error(error)
    this.#finish(error)
  }

  #closeQuietly() {
    try {
      this.#controller.close()
    } catch {
      // Already errored or closed by the runtime.
    }
  }

  #finish(error?: Error) {
    if (this.#ended) return
    this.#ended = true
    clearInterval(this.#keepAlive)
    this.onEnd(error)
  }
}
