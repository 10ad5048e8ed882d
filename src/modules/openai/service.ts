import { HttpError } from '../../shared/errors'
import type { Logger } from '../../shared/logger'
import { summaryOf } from '../llm/agent'
import { type ChatTools, runChat, splitRequest } from '../llm/chat'
import { Aborted } from '../llm/errors'
import { chatOutcome } from '../llm/outcome'
import { type ChatStats, trackChat } from '../llm/stats'
import type { AgentResult, Completion } from '../llm/types'
import type { Upstream } from '../llm/upstream'
import { closingEvents, createChunkFilter, event } from './chunks'
import { toHttpError } from './errors'
import { eventStream } from './event-stream'

type Request = Record<string, unknown> & {
  model: string
  stream?: boolean
  tools?: unknown
  servers?: string[]
}

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
  /** The request as the upstream gets it, the tools it asks for, and whether it wants the usage. */
  function prepare(request: Request) {
    if (request.tool_approval === 'ask')
      throw new HttpError(
        422,
        'validation_error',
        'body field "tool_approval": "ask" needs a client that can answer; use the WebSocket /chat',
      )
    const includeUsage =
      (request.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true
    return { split: splitRequest(request, 'auto', ['stream_options']), includeUsage }
  }

  /** Counts one chat for the metrics and logs one line when it ends (without its messages). */
  const track = (request: Request) =>
    trackChat(stats, logger, {
      route: '/v1/chat/completions',
      model: request.model,
      stream: Boolean(request.stream),
    })

  return {
    async complete(request: Request, signal: AbortSignal) {
      const { split } = prepare(request)
      const end = track(request)
      try {
        const result = await runChat(upstream, tools, { ...split, stream: false, signal })
        end('done')
        return result.agent ? finalAnswer(result.agent) : result.completion
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
      const { split, includeUsage } = prepare(request)
      const end = track(request)
      const out = eventStream(signal, keepAliveMs)
      const filter = createChunkFilter({ toolUse: Boolean(split.selection), includeUsage })
      const chunks = (c: Parameters<typeof filter.events>[0]) => out.write(filter.events(c))
      const run = runChat(upstream, tools, { ...split, stream: true, signal: out.signal, hooks: { chunks } })
      const finished = run.then(
        (result) => {
          void out.write(closingEvents(filter.last, result.agent, includeUsage))
          out.close()
          end('done')
        },
        (e) => {
          end(chatOutcome(e))
          if (!out.started) throw toHttpError(e)
          if (!(e instanceof Aborted)) void out.write([errorEvent(e, logger)])
          out.close()
        },
      )
      await Promise.race([out.firstWrite, finished])
      return out.readable
    },
  }
}

/** The tool loop's last completion as the client's answer, with what the loop did as `automcp`. */
function finalAnswer(result: AgentResult) {
  const completion = result.completion as Completion
  for (const choice of completion.choices ?? []) {
    // What the model wrote at every step, as a streaming client reads it.
    if (choice.message && result.text) choice.message.content = result.text
    if (!result.max_steps_reached) continue
    // Calls the client cannot make (they are AutoMCP's): the answer stops here.
    if (choice.message) delete choice.message.tool_calls
    choice.finish_reason = 'length'
  }
  return { ...completion, automcp: summaryOf(result) }
}

/** A failure after the stream started, as OpenAI reports one: an `error` event. */
function errorEvent(e: unknown, logger: Logger) {
  const error = toHttpError(e)
  const { message, code } =
    error instanceof HttpError ? error : { message: 'The chat failed inside AutoMCP', code: 'internal_error' }
  if (!(error instanceof HttpError)) logger.error('chat failed', { error: String(e) })
  return event({ error: { message, code, type: 'upstream_error' } })
}
