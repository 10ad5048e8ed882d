import { createParser } from 'eventsource-parser'

/** Why a chat or model request to the upstream failed, in the terms the `/chat` protocol reports. */
export class UpstreamError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** The upstream's HTTP status (or the numeric code of an error it sent mid-stream). */
    readonly status?: number,
  ) {
    super(message)
  }
}

/** Cancelled by our caller: not an upstream failure. */
export class Aborted extends Error {}

export type UpstreamSettings = {
  baseUrl: string
  apiKey?: string
  /** Until the response headers arrive. */
  timeoutMs: number
  /** Between two reads of a streaming body. */
  idleTimeoutMs: number
}

export type StreamEnd = { finish_reason: string | null; usage: unknown }

/**
 * The chunks that arrived in one read, each as the upstream wrote it (to relay without re-encoding), and
 * parsed when it carries more than a token; a returned promise pauses reading until it settles (backpressure).
 */
export type ChunkHandler = (chunks: Chunk[]) => void | Promise<void>
export type Chunk = { raw: string; parsed?: UpstreamChunk }

/** A chunk with an error, a usage object or a finish reason (`"usage":null` and `"finish_reason":null` are not). */
const mayMatter = /"(?:error|usage)"\s*:\s*[^\sn]|"finish_reason"\s*:\s*"/

type UpstreamChunk = {
  choices?: { finish_reason?: string | null }[]
  usage?: unknown
  error?: { code?: unknown; message?: unknown }
}

// What OpenRouter documents for each status it answers before a stream starts.
const codeByStatus: Record<number, string> = {
  400: 'upstream_bad_request',
  401: 'upstream_unauthorized',
  402: 'upstream_payment_required',
  403: 'upstream_forbidden',
  404: 'upstream_not_found',
  408: 'upstream_timeout',
  429: 'upstream_rate_limited',
  502: 'upstream_unavailable',
  503: 'upstream_unavailable',
}

export type Upstream = ReturnType<typeof createUpstream>

/**
 * The OpenAI-compatible upstream (OpenRouter, vLLM, Ollama…): one keep-alive connection pool (Bun's
 * fetch), SSE parsed by eventsource-parser, and every failure turned into an UpstreamError.
 */
export function createUpstream(settings: UpstreamSettings, fetchFn: typeof fetch = fetch) {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    // OpenRouter's attribution headers; other upstreams ignore them.
    'x-title': 'AutoMCP',
    'http-referer': 'https://github.com/automcp/automcp',
  }
  if (settings.apiKey) headers.authorization = `Bearer ${settings.apiKey}`

  /**
   * fetch with the first-byte timeout, then `consume` the response; the caller's signal aborts either
   * step, and whatever goes wrong comes out as an UpstreamError (or Aborted).
   */
  async function call<T>(
    path: string,
    init: RequestInit,
    signal: AbortSignal | undefined,
    consume: (res: Response, controller: AbortController) => Promise<T>,
  ): Promise<T> {
    if (signal?.aborted) throw new Aborted('cancelled')
    const controller = new AbortController()
    const onAbort = () => controller.abort(new Aborted('cancelled'))
    signal?.addEventListener('abort', onAbort, { once: true })
    const timer = setTimeout(() => controller.abort(timeoutError(settings.timeoutMs)), settings.timeoutMs)
    try {
      const res = await fetchFn(settings.baseUrl + path, {
        ...init,
        headers: { ...headers, ...(init.headers as Record<string, string>) },
        signal: controller.signal,
      })
      clearTimeout(timer)
      if (!res.ok) throw httpError(res, await readBody(res, controller, settings.idleTimeoutMs))
      return await consume(res, controller)
    } catch (e) {
      throw toUpstreamError(e, controller.signal)
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    }
  }

  return {
    /** `GET /models` as the upstream wrote it; anything but `{ data: [...] }` is an error. */
    models: (signal?: AbortSignal): Promise<string> =>
      call('/models', { method: 'GET' }, signal, async (res, controller) => {
        const text = await readBody(res, controller, settings.idleTimeoutMs)
        const body = safeParse(text) as { data?: unknown } | undefined
        if (!Array.isArray(body?.data))
          throw new UpstreamError('upstream_invalid', 'The upstream /models answer has no "data" list', 502)
        return text
      }),

    /** A non-streaming completion, as the upstream answered it. */
    complete: (body: Record<string, unknown>, signal?: AbortSignal): Promise<unknown> =>
      call(
        '/chat/completions',
        { method: 'POST', body: JSON.stringify({ ...body, stream: false }) },
        signal,
        async (res, controller) => {
          const completion = safeParse(await readBody(res, controller, settings.idleTimeoutMs)) as
            | UpstreamChunk
            | undefined
          if (!completion || typeof completion !== 'object')
            throw new UpstreamError(
              'upstream_invalid',
              'The upstream answered something that is not JSON',
              502,
            )
          if (completion.error) throw streamError(completion.error)
          return completion
        },
      ),

    /**
     * A streaming completion: `onChunks` sees every chunk in order, a read's worth at a time; resolves with the finish reason and the usage of the last chunks.
     */
    stream: (
      body: Record<string, unknown>,
      onChunks: ChunkHandler,
      signal?: AbortSignal,
    ): Promise<StreamEnd> =>
      call(
        '/chat/completions',
        {
          method: 'POST',
          headers: { accept: 'text/event-stream' },
          body: JSON.stringify({ ...body, stream: true, stream_options: { include_usage: true } }),
        },
        signal,
        (res, controller) => readStream(res, controller, settings.idleTimeoutMs, onChunks),
      ),
  }
}

const sliceBytes = 128 * 1024

async function readStream(
  res: Response,
  controller: AbortController,
  idleTimeoutMs: number,
  onChunks: ChunkHandler,
): Promise<StreamEnd> {
  const end: StreamEnd = { finish_reason: null, usage: null }
  let done = false
  let failure: UpstreamError | undefined
  let pending: Chunk[] = []
  // Comment lines (`: OPENROUTER PROCESSING`) only keep the connection alive; any byte resets the idle timer.
  const parser = createParser({
    onEvent(event) {
      if (done || failure) return
      if (event.data === '[DONE]') {
        done = true
        return
      }
      const raw = event.data
      // Most chunks carry a token and nothing the relay acts on. Parsing each one cost as much as the
      // rest of the relay put together, so only those that may hold an error, the usage or a finish
      // reason are parsed; the others need only look like one JSON object to be passed on. (An upstream
      // that sends `{` … `}` that is not JSON would reach the client as such: the upstream is trusted.)
      if (!mayMatter.test(raw) && raw.charCodeAt(0) === 123 && raw.charCodeAt(raw.length - 1) === 125) {
        pending.push({ raw })
        return
      }
      const chunk = safeParse(raw) as UpstreamChunk | undefined
      if (!chunk || typeof chunk !== 'object' || Array.isArray(chunk)) {
        failure = new UpstreamError(
          'upstream_invalid',
          'The upstream sent a chunk that is not a JSON object',
          502,
        )
        return
      }
      // OpenRouter reports a failure after the 200 as a chunk with `error` and finish_reason "error".
      if (chunk.error) {
        failure = streamError(chunk.error)
        return
      }
      const reason = chunk.choices?.[0]?.finish_reason
      if (reason) end.finish_reason = reason
      if (chunk.usage) end.usage = chunk.usage
      pending.push({ raw, parsed: chunk })
    },
  })
  const body = res.body
  if (!body) throw new UpstreamError('upstream_invalid', 'The upstream sent no body', 502)
  const reader = body.getReader()
  const decoder = new TextDecoder()
  const idle = idleTimer(controller, idleTimeoutMs)
  try {
    while (!done && !failure) {
      const { value, done: eof } = await reader.read()
      if (eof) break
      idle.reset()
      // When the upstream writes faster than we read, one read holds hundreds of KB. Handed on a slice
      // at a time, the first chunks of a read are on their way (and being parsed by the client) while
      // the rest are still parsed here; smaller slices cost more in sends than they gain.
      for (let at = 0; at < value.length && !done && !failure; at += sliceBytes) {
        parser.feed(decoder.decode(value.subarray(at, at + sliceBytes), { stream: true }))
        if (pending.length === 0) continue
        const batch = pending
        pending = []
        const wait = onChunks(batch)
        if (!wait) continue
        // Waiting for a slow client is not the upstream going silent.
        idle.stop()
        await wait
        idle.reset()
      }
    }
  } finally {
    idle.stop()
    // Stop reading (and let the connection go back to the pool or close) whatever ended the loop.
    if (!done) reader.cancel().catch(() => {})
  }
  if (failure) throw failure
  // A body that ends without [DONE] but after a finish_reason is complete; otherwise it was cut.
  if (!done && !end.finish_reason)
    throw new UpstreamError('upstream_disconnected', 'The upstream closed the stream before it finished', 502)
  return end
}

/** Aborts `controller` once `ms` pass without a reset: the idle timeout between reads of a body. */
function idleTimer(controller: AbortController, ms: number) {
  let timer: ReturnType<typeof setTimeout> | undefined
  const stop = () => clearTimeout(timer)
  const reset = () => {
    stop()
    timer = setTimeout(() => controller.abort(idleError(ms)), ms)
  }
  reset()
  return { reset, stop }
}

/** A whole body as text, read under the idle timeout (a long answer that keeps sending is fine). */
async function readBody(res: Response, controller: AbortController, idleMs: number): Promise<string> {
  if (!res.body) return ''
  const idle = idleTimer(controller, idleMs)
  const decoder = new TextDecoder()
  let text = ''
  try {
    for await (const bytes of res.body) {
      idle.reset()
      text += decoder.decode(bytes, { stream: true })
    }
    return text + decoder.decode()
  } finally {
    idle.stop()
  }
}

const timeoutError = (ms: number) =>
  new UpstreamError('upstream_timeout', `The upstream did not start answering within ${ms} ms`)
const idleError = (ms: number) =>
  new UpstreamError('upstream_timeout', `The upstream sent nothing for ${ms} ms`)

function toUpstreamError(e: unknown, signal: AbortSignal): Error {
  // Whatever was under way when the caller cancelled (even reading an error body) ends as cancelled.
  if (signal.aborted) return signal.reason instanceof Error ? signal.reason : new Aborted('cancelled')
  if (e instanceof UpstreamError || e instanceof Aborted) return e
  const code = (e as { code?: string }).code ?? ''
  if (/ConnectionRefused|ECONNREFUSED|FailedToOpenSocket|ENOTFOUND|DNS|ConnectionClosed/i.test(code))
    return new UpstreamError('upstream_unreachable', `Cannot reach the upstream: ${(e as Error).message}`)
  return new UpstreamError(
    'upstream_disconnected',
    `The upstream connection failed: ${(e as Error).message}`,
    502,
  )
}

function httpError(res: Response, text: string): UpstreamError {
  const body = safeParse(text) as { error?: { message?: unknown } | string; message?: unknown } | undefined
  const detail =
    typeof body?.error === 'object' && typeof body.error.message === 'string'
      ? body.error.message
      : typeof body?.error === 'string'
        ? body.error
        : typeof body?.message === 'string'
          ? body.message
          : text.slice(0, 200) || res.statusText
  return new UpstreamError(codeByStatus[res.status] ?? 'upstream_error', detail, res.status)
}

function streamError(error: { code?: unknown; message?: unknown }): UpstreamError {
  const status = typeof error.code === 'number' ? error.code : undefined
  const message = typeof error.message === 'string' ? error.message : 'The upstream reported an error'
  return new UpstreamError(
    (status !== undefined && codeByStatus[status]) || 'upstream_error',
    message,
    status,
  )
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
