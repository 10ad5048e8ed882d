import { createParser } from 'eventsource-parser'
import { idleError, safeParse, streamError, UpstreamError } from './errors'

export type StreamEnd = { finish_reason: string | null; usage: unknown }

/**
 * The chunks that arrived in one read, each as the upstream wrote it (to relay without re-encoding), and
 * parsed when it carries more than a token; a returned promise pauses reading until it settles (backpressure).
 */
export type ChunkHandler = (chunks: Chunk[]) => void | Promise<void>
export type Chunk = { raw: string; parsed?: UpstreamChunk }

/** A chunk with an error, a usage object or a finish reason (`"usage":null` and `"finish_reason":null` are not). */
const mayMatter = /"(?:error|usage)"\s*:\s*[^\sn]|"finish_reason"\s*:\s*"/

export type UpstreamChunk = {
  choices?: { finish_reason?: string | null }[]
  usage?: unknown
  error?: { code?: unknown; message?: unknown }
}

const sliceBytes = 128 * 1024

/** One event's data as a chunk to pass on, or the failure it reports (or is). */
export function readEvent(raw: string): Chunk | UpstreamError {
  // Most chunks carry a token and nothing the relay acts on. Parsing each one cost as much as the
  // rest of the relay put together, so only those that may hold an error, the usage or a finish
  // reason are parsed; the others need only look like one JSON object to be passed on. (An upstream
  // that sends `{` … `}` that is not JSON would reach the client as such: the upstream is trusted.)
  if (!mayMatter.test(raw) && raw.charCodeAt(0) === 123 && raw.charCodeAt(raw.length - 1) === 125)
    return { raw }
  const chunk = safeParse(raw) as UpstreamChunk | undefined
  if (!chunk || typeof chunk !== 'object' || Array.isArray(chunk))
    return new UpstreamError('upstream_invalid', 'The upstream sent a chunk that is not a JSON object', 502)
  // OpenRouter reports a failure after the 200 as a chunk with `error` and finish_reason "error".
  if (chunk.error) return streamError(chunk.error)
  return { raw, parsed: chunk }
}

/** An SSE body handed to `onChunks` a read at a time; ends at [DONE] or a finish reason, else throws. */
export async function readStream(
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
      const read = readEvent(event.data)
      if (read instanceof UpstreamError) {
        failure = read
        return
      }
      const reason = read.parsed?.choices?.[0]?.finish_reason
      if (reason) end.finish_reason = reason
      if (read.parsed?.usage) end.usage = read.parsed.usage
      pending.push(read)
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
export async function readBody(res: Response, controller: AbortController, idleMs: number): Promise<string> {
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
