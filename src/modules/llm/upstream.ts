import {
  Aborted,
  httpError,
  safeParse,
  streamError,
  timeoutError,
  toUpstreamError,
  UpstreamError,
} from './errors'
import { type ChunkHandler, readBody, readStream, type StreamEnd, type UpstreamChunk } from './stream'

export type UpstreamSettings = {
  baseUrl: string
  apiKey?: string
  /** Until the response headers arrive. */
  timeoutMs: number
  /** Between two reads of a streaming body. */
  idleTimeoutMs: number
}

export type Upstream = ReturnType<typeof createUpstream>

type Consume<T> = (res: Response, controller: AbortController) => Promise<T>

/**
 * fetch with the first-byte timeout, then `consume` the response; the caller's signal aborts either
 * step, and whatever goes wrong comes out as an UpstreamError (or Aborted).
 */
function createCaller(settings: UpstreamSettings, fetchFn: typeof fetch) {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    // OpenRouter's attribution headers; other upstreams ignore them.
    'x-title': 'AutoMCP',
    'http-referer': 'https://github.com/automcp/automcp',
  }
  if (settings.apiKey) headers.authorization = `Bearer ${settings.apiKey}`

  return async function call<T>(
    path: string,
    init: RequestInit,
    signal: AbortSignal | undefined,
    consume: Consume<T>,
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
}

/**
 * The OpenAI-compatible upstream (OpenRouter, vLLM, Ollama…): one keep-alive connection pool (Bun's
 * fetch), SSE parsed by eventsource-parser, and every failure turned into an UpstreamError.
 */
export function createUpstream(settings: UpstreamSettings, fetchFn: typeof fetch = fetch) {
  const call = createCaller(settings, fetchFn)

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
