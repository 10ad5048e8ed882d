import { HttpError } from '../../shared/errors'
import type { Logger } from '../../shared/logger'
import type { ChatStats, ChatTools } from '../chat/relay'
import { type AgentResult, type Completion, summaryOf } from '../llm/agent'
import { chatOutcome } from '../llm/outcome'
import { Aborted, type Chunk, type Upstream, UpstreamError } from '../llm/upstream'
import { ToolSelectionError } from '../tools/catalog'
import { toolSelectionOf } from '../tools/model'

type Request = Record<string, unknown> & {
  model: string
  stream?: boolean
  tools?: unknown
  servers?: string[]
}
type StreamChunk = {
  id?: string
  created?: number
  model?: string
  choices?: { index?: number; delta?: Record<string, unknown>; finish_reason?: string | null }[]
  usage?: unknown
}

// How an upstream failure reads to an OpenAI client of ours: its own mistakes keep their status, the
// upstream's (or our configuration's) are a bad gateway.
const statusFor = (e: UpstreamError) =>
  e.status === 400 || e.status === 402 || e.status === 404 || e.status === 429
    ? e.status
    : e.code === 'upstream_timeout'
      ? 504
      : 502

const encoder = new TextEncoder()
const keepAliveEvent = encoder.encode(': keep-alive\n\n')
const event = (data: unknown) =>
  encoder.encode(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`)

export type Completions = ReturnType<typeof createCompletions>

/**
 * `POST /v1/chat/completions` over the same upstream and tool loop as `/chat`: tool use is on unless the
 * request says `tools: "none"` or brings function tools of its own, and tool steps stay inside AutoMCP:
 * the client sees the final answer, plus `automcp.tool_calls`.
 */
export function createCompletions({
  upstream,
  tools,
  stats,
  logger,
  keepAliveMs,
}: {
  upstream: Upstream
  tools: ChatTools
  stats: ChatStats
  logger: Logger
  /** How long a stream may stay quiet before a keep-alive comment. */
  keepAliveMs: number
}) {
  /** The request as the upstream gets it, and the tools it asks for (undefined: none). */
  function prepare(request: Request) {
    const {
      tools: toolsField,
      servers: _s,
      max_steps,
      tool_approval,
      stream: _stream,
      stream_options,
      ...body
    } = request
    if (tool_approval === 'ask')
      throw new HttpError(
        422,
        'validation_error',
        'body field "tool_approval": "ask" needs a client that can answer; use the WebSocket /chat',
      )
    const selection = toolSelectionOf(request, 'auto')
    if (!selection && Array.isArray(toolsField) && toolsField.length > 0) body.tools = toolsField
    const includeUsage = (stream_options as { include_usage?: boolean } | undefined)?.include_usage === true
    return { body, selection, includeUsage, maxSteps: (max_steps as number | undefined) ?? tools.maxSteps }
  }

  /** Counts one chat for the metrics and logs one line when it ends (without its messages). */
  function track(request: Request) {
    const started = performance.now()
    let ended = false
    stats.active++
    return (outcome: string) => {
      if (ended) return
      ended = true
      stats.active--
      stats.ended(outcome)
      logger.info('chat', {
        route: '/v1/chat/completions',
        model: request.model,
        stream: Boolean(request.stream),
        outcome,
        ms: Math.round(performance.now() - started),
      })
    }
  }

  return {
    async complete(request: Request, signal: AbortSignal) {
      const { body, selection, maxSteps } = prepare(request)
      const end = track(request)
      try {
        if (!selection) {
          const completion = await upstream.complete(body, signal)
          end('done')
          return completion
        }
        const set = await tools.select(selection, signal)
        const result = await tools.run({ body, stream: false, tools: set, maxSteps, signal })
        const completion = result.completion as Completion
        for (const choice of completion.choices ?? []) {
          // What the model wrote at every step, as a streaming client reads it.
          if (choice.message && result.text) choice.message.content = result.text
          if (!result.max_steps_reached) continue
          // Calls the client cannot make (they are AutoMCP's): the answer stops here.
          if (choice.message) delete choice.message.tool_calls
          choice.finish_reason = 'length'
        }
        end('done')
        return { ...completion, automcp: summaryOf(result) }
      } catch (e) {
        end(chatOutcome(e))
        throw toHttpError(e)
      }
    },

    /**
     * Server-Sent Events in OpenAI's format. Resolves once the first event is ready, so a failure before
     * any output is an HTTP error; a failure after it is an `error` event, as OpenAI sends them.
     */
    async stream(request: Request, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
      const { body, selection, includeUsage, maxSteps } = prepare(request)
      const end = track(request)
      const out = eventStream(signal, keepAliveMs)
      let last: StreamChunk = {}
      let roleSent = false
      // Tool steps stay inside AutoMCP: their calls and the usage of each step are left out of the
      // relayed chunks, and the usage of every step comes summed at the end.
      const relay = (chunks: Chunk[]) => {
        const events: Uint8Array[] = []
        for (const chunk of chunks) {
          const c = (chunk.parsed ?? JSON.parse(chunk.raw)) as StreamChunk
          last = c
          const choice = c.choices?.[0]
          if (!choice) {
            if (!selection && includeUsage) events.push(encoder.encode(`data: ${chunk.raw}\n\n`))
            continue
          }
          if (!selection) {
            events.push(encoder.encode(`data: ${chunk.raw}\n\n`))
            continue
          }
          const delta = choice.delta ?? {}
          delete delta.tool_calls
          delete c.usage // each step's: the sum of all of them comes at the end
          if (choice.finish_reason === 'tool_calls') choice.finish_reason = null
          const keep =
            (typeof delta.content === 'string' && delta.content !== '') ||
            Boolean(choice.finish_reason) ||
            (!roleSent && delta.role !== undefined)
          if (!keep) continue
          roleSent = true
          events.push(event(c))
        }
        return out.write(events)
      }
      const run = async () => {
        if (!selection) {
          const end = await upstream.stream(body, relay, out.signal)
          return { finish_reason: end.finish_reason } as Partial<AgentResult>
        }
        const set = await tools.select(selection, out.signal)
        return tools.run({
          body,
          stream: true,
          tools: set,
          maxSteps,
          signal: out.signal,
          hooks: { chunks: relay },
        })
      }
      const finished = run().then(
        (result) => {
          const tail = {
            id: last.id,
            object: 'chat.completion.chunk',
            created: last.created,
            model: last.model,
          }
          const events: Uint8Array[] = []
          if (result.max_steps_reached)
            events.push(event({ ...tail, choices: [{ index: 0, delta: {}, finish_reason: 'length' }] }))
          if (selection && result.calls)
            events.push(
              event({
                ...tail,
                choices: [],
                ...(includeUsage ? { usage: result.usage } : {}),
                automcp: summaryOf(result as AgentResult),
              }),
            )
          events.push(event('[DONE]'))
          void out.write(events)
          out.close()
          end('done')
        },
        (e) => {
          end(chatOutcome(e))
          if (!out.started) throw toHttpError(e)
          if (!(e instanceof Aborted)) {
            const error = toHttpError(e)
            const { message, code } =
              error instanceof HttpError
                ? error
                : { message: 'The chat failed inside AutoMCP', code: 'internal_error' }
            if (!(error instanceof HttpError)) logger.error('chat failed', { error: String(e) })
            void out.write([event({ error: { message, code, type: 'upstream_error' } })])
          }
          out.close()
        },
      )
      await Promise.race([out.firstWrite, finished])
      return out.readable
    },
  }
}

/** A byte stream the chat writes events into: it pauses the chat while the client reads slowly. */
function eventStream(clientGone: AbortSignal, keepAliveMs: number) {
  const controller = new AbortController()
  let sink!: ReadableStreamDefaultController<Uint8Array>
  let wake: (() => void) | undefined
  let started = false
  let keepAlive: Timer | undefined
  const first = Promise.withResolvers<void>()
  const end = (reason: Aborted) => {
    clearTimeout(keepAlive)
    controller.abort(reason)
    wake?.()
  }
  clientGone.addEventListener('abort', () => end(new Aborted('client went away')), { once: true })
  const readable = new ReadableStream<Uint8Array>(
    {
      start(c) {
        sink = c
      },
      pull() {
        wake?.()
        wake = undefined
      },
      cancel: () => end(new Aborted('client went away')),
    },
    { highWaterMark: 64 },
  )
  // While tools run or the model thinks, nothing may be written for a long while: a comment line now and
  // then keeps proxies (and Bun's own idle timeout) from taking the quiet connection for a dead one.
  const quiet = () => {
    clearTimeout(keepAlive)
    keepAlive = setTimeout(() => {
      if (controller.signal.aborted) return
      enqueue([keepAliveEvent])
      quiet()
    }, keepAliveMs)
  }
  const enqueue = (events: Uint8Array[]) => {
    for (const e of events) sink.enqueue(e)
    started = true
    first.resolve()
  }
  quiet()
  return {
    readable,
    signal: controller.signal,
    firstWrite: first.promise,
    get started() {
      return started
    },
    write(events: Uint8Array[]): Promise<void> | undefined {
      if (events.length === 0 || controller.signal.aborted) return
      enqueue(events)
      quiet()
      if ((sink.desiredSize ?? 1) > 0) return
      return new Promise<void>((resolve) => {
        wake = resolve
      })
    },
    close() {
      clearTimeout(keepAlive)
      if (!controller.signal.aborted) sink.close()
    },
  }
}

function toHttpError(e: unknown): unknown {
  if (e instanceof UpstreamError) {
    const status = e.status ? ` (HTTP ${e.status})` : ''
    return new HttpError(statusFor(e), e.code, `The upstream failed${status}: ${e.message}`)
  }
  if (e instanceof ToolSelectionError) return new HttpError(422, e.code, e.message)
  return e
}
