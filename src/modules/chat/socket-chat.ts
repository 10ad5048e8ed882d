import type { Logger } from '../../shared/logger'
import { summaryOf } from '../llm/agent'
import { type ChatTools, runChat, splitRequest } from '../llm/chat'
import { Aborted, UpstreamError } from '../llm/errors'
import { chatOutcome } from '../llm/outcome'
import { type ChatStats, trackChat } from '../llm/stats'
import type { Chunk } from '../llm/stream'
import type { ToolCallInfo, Verdict } from '../llm/types'
import type { Upstream } from '../llm/upstream'
import { ToolSelectionError } from '../tools/catalog'
import type { ChatError, ChatId } from './messages'

/** What the relay needs of a Bun socket: send, cork (batch sends into one write) and its queue size. */
export type ChatSocket = {
  send(text: string): number
  cork(batch: () => void): unknown
  getBufferedAmount(): number
}

/** What one chat needs of its socket's relay. */
export type SocketChatContext = {
  socket: ChatSocket
  upstream: Upstream
  logger: Logger
  stats: ChatStats
  tools?: ChatTools
  /** Queued bytes on the socket above which reading from the upstream pauses until it drains. */
  highWaterBytes: number
  send: (message: unknown) => void
  fail: (id: ChatId | null, error: ChatError) => void
  /** Resolves when the socket's queue drains, or at once when the chat is cancelled meanwhile. */
  drained: (signal: AbortSignal) => Promise<void>
  askApproval: (id: ChatId, call: ToolCallInfo, signal: AbortSignal) => Promise<Verdict>
  /** The socket closed: nothing more is sent. */
  closed: () => boolean
}

/** One chat of a socket, from its request to its `done`, `response`, `cancelled` or `error` message. */
export async function runSocketChat(
  ctx: SocketChatContext,
  id: ChatId,
  request: Record<string, unknown>,
  signal: AbortSignal,
) {
  const { stream, batch, tool_approval } = request
  const split = splitRequest(request, 'none', ['type', 'id', 'batch'])
  // One log line per chat, without its messages: model, duration and how it ended.
  const end = trackChat(ctx.stats, ctx.logger, { id, model: split.body.model, stream: Boolean(stream) })
  let outcome = 'done'
  let finishReason: string | null = null
  let toolCalls: number | undefined
  try {
    const result = await runChat(ctx.upstream, ctx.tools, {
      ...split,
      stream: Boolean(stream),
      signal,
      hooks: {
        chunks: chunkRelay(ctx, id, Boolean(batch), signal),
        toolCall: (call) => ctx.send({ type: 'tool_call', id, call }),
        toolResult: (result) => ctx.send({ type: 'tool_result', id, ...result }),
        approve: tool_approval === 'ask' ? (call, s) => ctx.askApproval(id, call, s) : undefined,
      },
    })
    finishReason = result.finish_reason
    if (result.agent) {
      toolCalls = result.agent.calls.length
      const summary = summaryOf(result.agent)
      const { tool_calls: _calls, ...steps } = summary
      if (stream)
        ctx.send({ type: 'done', id, finish_reason: result.finish_reason, usage: result.usage, ...steps })
      else ctx.send({ type: 'response', id, data: { ...(result.completion as object), automcp: summary } })
    } else if (stream)
      ctx.send({ type: 'done', id, finish_reason: result.finish_reason, usage: result.usage })
    else ctx.send({ type: 'response', id, data: result.completion })
  } catch (e) {
    outcome = chatOutcome(e)
    if (!ctx.closed()) reportFailure(ctx, id, e)
  } finally {
    end(outcome, {
      finish_reason: finishReason,
      ...(toolCalls !== undefined ? { tool_calls: toolCalls } : {}),
    })
  }
}

/**
 * Chunks go out as the upstream wrote them (no second encoding per token), corked so that one read
 * from the upstream is one write to the client rather than one per chunk. A client pays for each
 * message it dispatches whatever its size, so with `batch` a whole read is one message and a fast
 * stream is no longer held to the client's message rate.
 */
function chunkRelay(ctx: SocketChatContext, id: ChatId, batch: boolean, signal: AbortSignal) {
  const { socket } = ctx
  const prefix = `{"type":"chunk","id":${JSON.stringify(id)},"data":`
  const batchPrefix = `{"type":"chunks","id":${JSON.stringify(id)},"data":[`
  return (chunks: Chunk[]) => {
    if (signal.aborted) throw new Aborted('cancelled')
    if (batch) socket.send(`${batchPrefix}${chunks.map((c) => c.raw).join(',')}]}`)
    else
      socket.cork(() => {
        for (const chunk of chunks) socket.send(`${prefix}${chunk.raw}}`)
      })
    if (socket.getBufferedAmount() > ctx.highWaterBytes) return ctx.drained(signal)
  }
}

/** How a failed chat reads to the client: cancelled, the upstream's error, or ours (logged). */
function reportFailure(ctx: SocketChatContext, id: ChatId, e: unknown) {
  if (e instanceof Aborted) ctx.send({ type: 'cancelled', id })
  else if (e instanceof UpstreamError)
    ctx.fail(id, { code: e.code, message: e.message, ...(e.status ? { status: e.status } : {}) })
  else if (e instanceof ToolSelectionError) ctx.fail(id, { code: e.code, message: e.message })
  else {
    ctx.logger.error('chat failed', { id, error: String(e), stack: (e as Error).stack })
    ctx.fail(id, { code: 'internal_error', message: 'The chat failed inside AutoMCP' })
  }
}
