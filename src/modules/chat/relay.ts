import type { Logger } from '../../shared/logger'
import { dropNullOptionals } from '../../shared/model'
import { createApprovals } from '../llm/approvals'
import type { ChatTools } from '../llm/chat'
import { type ChatStats, createChatStats } from '../llm/stats'
import type { ToolCallInfo, Verdict } from '../llm/types'
import type { Upstream } from '../llm/upstream'
import { type ChatError, type ChatId, envelopeRefusal, idOf, schemaError } from './messages'
import { ChatModel } from './model'
import { type ChatSocket, runSocketChat, type SocketChatContext } from './socket-chat'

export type { ChatSocket } from './socket-chat'

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

export type ChatRelay = ReturnType<typeof createChatRelay>

/** The `/chat` protocol of one socket: several chats at once, each cancellable, each failing alone. */
export function createChatRelay(
  socket: ChatSocket,
  upstream: Upstream,
  logger: Logger,
  settings: RelaySettings,
) {
  const { maxChats, maxMessageBytes, admit = () => 0, authorized = () => true } = settings
  const running = new Map<ChatId, AbortController>()
  const approvals = createApprovals(settings.tools?.approvalTimeoutMs ?? 0)
  const queue = drainQueue()
  let closed = false

  const send = (message: unknown) => socket.send(JSON.stringify(message))
  const fail = (id: ChatId | null, error: ChatError) => send({ type: 'error', id, error })
  const context: SocketChatContext = {
    socket,
    upstream,
    logger,
    stats: settings.stats ?? createChatStats(),
    tools: settings.tools,
    highWaterBytes: settings.highWaterBytes ?? 256 * 1024,
    send,
    fail,
    drained: queue.drained,
    askApproval,
    closed: () => closed,
  }

  /** Asks the client about one call and waits for its verdict, the timeout or the chat's end. */
  function askApproval(id: ChatId, call: ToolCallInfo, signal: AbortSignal): Promise<Verdict> {
    const verdict = approvals.wait(id, call.id, signal)
    send({ type: 'tool_approval', id, call })
    return verdict
  }

  async function run(id: ChatId, request: Record<string, unknown>) {
    const controller = new AbortController()
    running.set(id, controller)
    try {
      await runSocketChat(context, id, request, controller.signal)
    } finally {
      running.delete(id)
    }
  }

  function verdict(message: Record<string, unknown>) {
    const invalid = schemaError('verdict', message)
    if (invalid) return fail(idOf(message), invalid)
    if (!approvals.settle(message.id as ChatId, message.call_id as string, message.type === 'approve'))
      fail(message.id as ChatId, {
        code: 'unknown_id',
        message: `No tool call ${JSON.stringify(message.call_id)} of chat ${JSON.stringify(message.id)} is waiting for approval`,
      })
  }

  function chat(message: Record<string, unknown>) {
    const invalid = schemaError('chat', message)
    if (invalid) return fail(idOf(message), invalid)
    dropNullOptionals(ChatModel.chat, message)
    const id = (message.id as ChatId | undefined) ?? crypto.randomUUID()
    const refused = refusal(id)
    if (refused) return fail(id, refused)
    void run(id, message)
  }

  /** Why chat `id` may not start now, if it may not. */
  function refusal(id: ChatId): ChatError | undefined {
    if (running.has(id))
      return { code: 'duplicate_id', message: `A chat with id ${JSON.stringify(id)} is running` }
    if (running.size >= maxChats)
      return { code: 'too_many_requests', message: `At most ${maxChats} chats may run at once on one socket` }
    if (!authorized()) return { code: 'invalid_api_key', message: 'The API key of this socket was revoked' }
    const waitMs = admit()
    if (waitMs <= 0) return
    const retry_after_s = Math.ceil(waitMs / 1000)
    return {
      code: 'rate_limited',
      message: `Too many chats for this API key; retry in ${retry_after_s} s`,
      retry_after_s,
    }
  }

  function cancel(message: Record<string, unknown>) {
    const invalid = schemaError('cancel', message)
    if (invalid) return fail(idOf(message), invalid)
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
      const refused = envelopeRefusal(message, maxMessageBytes)
      if (refused) return fail(refused.id, refused.error)
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
    drain: queue.drain,

    /** The socket closed: every upstream request it started is aborted now. */
    close() {
      closed = true
      for (const controller of running.values()) controller.abort()
      running.clear()
      queue.drain()
    },

    get running() {
      return running.size
    },
  }
}

/** Chats paused until the socket's queue drains. */
function drainQueue() {
  let waiters: (() => void)[] = []
  return {
    /** Resolves when the socket's queue drains, or at once when the chat is cancelled meanwhile. */
    drained(signal: AbortSignal): Promise<void> {
      return new Promise((resolve) => {
        const done = () => {
          signal.removeEventListener('abort', done)
          resolve()
        }
        waiters.push(done)
        signal.addEventListener('abort', done, { once: true })
      })
    },
    drain() {
      const ready = waiters
      waiters = []
      for (const resolve of ready) resolve()
    },
  }
}
