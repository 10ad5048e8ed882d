import { TypeCompiler } from '@sinclair/typebox/compiler'
import type { Logger } from '../../shared/logger'
import { dropNullOptionals } from '../../shared/model'
import { nestsDeeperThan } from '../../shared/nesting'
import { describeFieldError, type FieldError } from '../../shared/validation'
import { type Agent, summaryOf, type ToolCallInfo, type Verdict } from '../llm/agent'
import { createApprovals } from '../llm/approvals'
import { chatOutcome } from '../llm/outcome'
import { Aborted, type Upstream, UpstreamError } from '../llm/upstream'
import { type ToolSelection, ToolSelectionError, type ToolSet } from '../tools/catalog'
import { toolSelectionOf } from '../tools/model'
import { ChatModel } from './model'

/** What the relay needs of a Bun socket: send, cork (batch sends into one write) and its queue size. */
export type ChatSocket = {
  send(text: string): number
  cork(batch: () => void): unknown
  getBufferedAmount(): number
}

type ChatId = string | number
type ChatError = { code: string; message: string; status?: number; retry_after_s?: number }

export type RelaySettings = {
  maxChats: number
  maxMessageBytes: number
  /** 0 when one more chat may start now, else the ms to wait (the key's chat rate limit). */
  admit?: () => number
  /** false once the key that opened the socket is revoked. */
  authorized?: () => boolean
  /** Chats running on every socket, and how each ended (for /metrics). */
  stats?: ChatStats
  /** Queued bytes on the socket above which reading from the upstream pauses until it drains. */
  highWaterBytes?: number
  /** Tool use: the MCP tools of healthy servers and the loop that runs them. */
  tools?: ChatTools
}

export type ChatTools = {
  select: (selection: ToolSelection, signal: AbortSignal) => Promise<ToolSet>
  run: Agent
  maxSteps: number
  /** How long a call waits for the client's `approve` or `deny` with `tool_approval: "ask"`. */
  approvalTimeoutMs: number
}

const maxMessageDepth = 256
const chatRequest = TypeCompiler.Compile(ChatModel.chat)
const cancelRequest = TypeCompiler.Compile(ChatModel.cancel)
const verdictRequest = TypeCompiler.Compile(ChatModel.verdict)

export type ChatStats = { active: number; ended: (outcome: string) => void }
export const createChatStats = (ended: (outcome: string) => void = () => {}): ChatStats => ({
  active: 0,
  ended,
})

export type ChatRelay = ReturnType<typeof createChatRelay>

/** The `/chat` protocol of one socket: several chats at once, each cancellable, each failing alone. */
export function createChatRelay(
  socket: ChatSocket,
  upstream: Upstream,
  logger: Logger,
  {
    maxChats,
    maxMessageBytes,
    admit = () => 0,
    authorized = () => true,
    stats = createChatStats(),
    highWaterBytes = 256 * 1024,
    tools,
  }: RelaySettings,
) {
  const running = new Map<ChatId, AbortController>()
  const approvals = createApprovals(tools?.approvalTimeoutMs ?? 0)
  let drainWaiters: (() => void)[] = []
  let closed = false

  const send = (message: unknown) => socket.send(JSON.stringify(message))
  const fail = (id: ChatId | null, error: ChatError) => send({ type: 'error', id, error })

  /** Resolves when the socket's queue drains, or at once when the chat is cancelled meanwhile. */
  function drained(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done)
        resolve()
      }
      drainWaiters.push(done)
      signal.addEventListener('abort', done, { once: true })
    })
  }

  function drain() {
    const waiters = drainWaiters
    drainWaiters = []
    for (const resolve of waiters) resolve()
  }

  async function run(id: ChatId, request: Record<string, unknown>) {
    const controller = new AbortController()
    running.set(id, controller)
    stats.active++
    const {
      type: _type,
      id: _id,
      stream,
      batch,
      tools: toolsField,
      servers: _servers,
      max_steps,
      tool_approval,
      ...body
    } = request
    const selection = toolSelectionOf(request, 'none')
    // The client's own OpenAI function tools go to the upstream untouched.
    if (!selection && Array.isArray(toolsField) && toolsField.length > 0) body.tools = toolsField
    const prefix = `{"type":"chunk","id":${JSON.stringify(id)},"data":`
    const batchPrefix = `{"type":"chunks","id":${JSON.stringify(id)},"data":[`
    // Chunks go out as the upstream wrote them (no second encoding per token), corked so that one read
    // from the upstream is one write to the client rather than one per chunk. A client pays for each
    // message it dispatches whatever its size, so with `batch` a whole read is one message and a fast
    // stream is no longer held to the client's message rate.
    const relayChunks = (chunks: { raw: string }[]) => {
      if (controller.signal.aborted) throw new Aborted('cancelled')
      if (batch) socket.send(`${batchPrefix}${chunks.map((c) => c.raw).join(',')}]}`)
      else
        socket.cork(() => {
          for (const chunk of chunks) socket.send(`${prefix}${chunk.raw}}`)
        })
      if (socket.getBufferedAmount() > highWaterBytes) return drained(controller.signal)
    }
    const started = performance.now()
    // One log line per chat, without its messages: model, duration and how it ended.
    let outcome = 'done'
    let finishReason: string | null = null
    let toolCalls: number | undefined
    try {
      if (selection) {
        if (!tools) throw new UpstreamError('tools_unavailable', 'Tool use is not set up on this server')
        const result = await tools.run({
          body,
          stream: Boolean(stream),
          tools: await tools.select(selection, controller.signal),
          maxSteps: (max_steps as number | undefined) ?? tools.maxSteps,
          signal: controller.signal,
          hooks: {
            chunks: relayChunks,
            toolCall: (call) => send({ type: 'tool_call', id, call }),
            toolResult: (result) => send({ type: 'tool_result', id, ...result }),
            approve: tool_approval === 'ask' ? (call, signal) => askApproval(id, call, signal) : undefined,
          },
        })
        finishReason = result.finish_reason
        toolCalls = result.calls.length
        const summary = summaryOf(result)
        const { tool_calls: _calls, ...steps } = summary
        if (stream)
          send({ type: 'done', id, finish_reason: result.finish_reason, usage: result.usage, ...steps })
        else send({ type: 'response', id, data: { ...result.completion, automcp: summary } })
      } else if (stream) {
        const end = await upstream.stream(body, relayChunks, controller.signal)
        finishReason = end.finish_reason
        send({ type: 'done', id, finish_reason: end.finish_reason, usage: end.usage })
      } else {
        const data = await upstream.complete(body, controller.signal)
        send({ type: 'response', id, data })
      }
    } catch (e) {
      outcome = chatOutcome(e)
      if (closed) return
      if (e instanceof Aborted) send({ type: 'cancelled', id })
      else if (e instanceof UpstreamError)
        fail(id, { code: e.code, message: e.message, ...(e.status ? { status: e.status } : {}) })
      else if (e instanceof ToolSelectionError) fail(id, { code: e.code, message: e.message })
      else {
        logger.error('chat failed', { id, error: String(e), stack: (e as Error).stack })
        fail(id, { code: 'internal_error', message: 'The chat failed inside AutoMCP' })
      }
    } finally {
      running.delete(id)
      stats.active--
      stats.ended(outcome)
      logger.info('chat', {
        id,
        model: body.model,
        stream: Boolean(stream),
        outcome,
        finish_reason: finishReason,
        ...(toolCalls !== undefined ? { tool_calls: toolCalls } : {}),
        ms: Math.round(performance.now() - started),
      })
    }
  }

  /** Asks the client about one call and waits for its verdict, the timeout or the chat's end. */
  function askApproval(id: ChatId, call: ToolCallInfo, signal: AbortSignal): Promise<Verdict> {
    const verdict = approvals.wait(id, call.id, signal)
    send({ type: 'tool_approval', id, call })
    return verdict
  }

  function verdict(message: Record<string, unknown>) {
    if (!verdictRequest.Check(message)) {
      const first = verdictRequest.Errors(message).First() as FieldError | undefined
      return fail(idOf(message), {
        code: 'invalid_request',
        message: describeFieldError(String(message.type), first),
      })
    }
    if (!approvals.settle(message.id as ChatId, message.call_id as string, message.type === 'approve'))
      fail(message.id as ChatId, {
        code: 'unknown_id',
        message: `No tool call ${JSON.stringify(message.call_id)} of chat ${JSON.stringify(message.id)} is waiting for approval`,
      })
  }

  function chat(message: Record<string, unknown>) {
    if (!chatRequest.Check(message)) {
      const first = chatRequest.Errors(message).First() as FieldError | undefined
      return fail(idOf(message), { code: 'invalid_request', message: describeFieldError('chat', first) })
    }
    dropNullOptionals(ChatModel.chat, message)
    const id = (message.id as ChatId | undefined) ?? crypto.randomUUID()
    if (running.has(id))
      return fail(id, { code: 'duplicate_id', message: `A chat with id ${JSON.stringify(id)} is running` })
    if (running.size >= maxChats)
      return fail(id, {
        code: 'too_many_requests',
        message: `At most ${maxChats} chats may run at once on one socket`,
      })
    if (!authorized())
      return fail(id, { code: 'invalid_api_key', message: 'The API key of this socket was revoked' })
    const waitMs = admit()
    if (waitMs > 0) {
      const retry_after_s = Math.ceil(waitMs / 1000)
      return fail(id, {
        code: 'rate_limited',
        message: `Too many chats for this API key; retry in ${retry_after_s} s`,
        retry_after_s,
      })
    }
    void run(id, message)
  }

  function cancel(message: Record<string, unknown>) {
    if (!cancelRequest.Check(message)) {
      const first = cancelRequest.Errors(message).First() as FieldError | undefined
      return fail(idOf(message), { code: 'invalid_request', message: describeFieldError('cancel', first) })
    }
    const controller = running.get(message.id as ChatId)
    if (!controller)
      return fail(message.id as ChatId, {
        code: 'unknown_id',
        message: `No chat with id ${JSON.stringify(message.id)} is running`,
      })
    controller.abort()
  }

  return {
    /** One client message: already JSON-parsed when it was JSON (Elysia does that), else the raw text. */
    message(message: unknown) {
      if (typeof message === 'string' && Buffer.byteLength(message) > maxMessageBytes) return tooLarge()
      if (typeof message !== 'object' || message === null || Array.isArray(message) || isBinary(message))
        return fail(null, { code: 'invalid_json', message: 'Each message must be a JSON object' })
      // Measured before it is serialised: past some 10,000 levels JSON.stringify takes over half a second
      // of this thread per frame, and past 40,000 it overflows the stack (Elysia drops what a handler
      // throws, so such a message went unanswered). No chat needs more than a few dozen.
      if (nestsDeeperThan(message, maxMessageDepth))
        return fail(idOf(message), {
          code: 'invalid_request',
          message: `A message may nest at most ${maxMessageDepth} levels deep`,
        })
      // Parsed already, so its size is measured on its JSON form (whitespace aside, the same), in bytes.
      if (Buffer.byteLength(JSON.stringify(message)) > maxMessageBytes) return tooLarge(idOf(message))
      const m = message as Record<string, unknown>
      switch (m.type) {
        case 'ping':
          return send({ type: 'pong' })
        case 'cancel':
          return cancel(m)
        case 'approve':
        case 'deny':
          return verdict(m)
        case 'chat':
        case undefined:
        case null: // the seed's ChatRequest has no type; a pydantic client may still write one as null
          return chat(m)
        default:
          return fail(idOf(m), {
            code: 'unknown_type',
            message: `Unknown message type ${JSON.stringify(m.type)}: expected chat, cancel, approve, deny or ping`,
          })
      }
    },

    /** Bun's `drain`: the socket's queue emptied, so paused chats read on. */
    drain,

    /** The socket closed: every upstream request it started is aborted now. */
    close() {
      closed = true
      for (const controller of running.values()) controller.abort()
      running.clear()
      drain()
    },

    get running() {
      return running.size
    },
  }

  function tooLarge(id: ChatId | null = null) {
    return fail(id, {
      code: 'message_too_large',
      message: `A message may be at most ${maxMessageBytes} bytes`,
    })
  }
}

const idOf = (message: object): ChatId | null => {
  const id = (message as { id?: unknown }).id
  return typeof id === 'string' || typeof id === 'number' ? id : null
}

const isBinary = (message: object) => message instanceof ArrayBuffer || ArrayBuffer.isView(message)
