import type { Logger } from '../../shared/logger'
import { dropNullOptionals } from '../../shared/model'
import { ceilSeconds } from '../../shared/time'
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

/** What the handlers of one socket's messages share. */
type Relay = {
  running: Map<ChatId, AbortController>
  approvals: ReturnType<typeof createApprovals>
  settings: RelaySettings
  send: (message: unknown) => void
  fail: (id: ChatId | null, error: ChatError) => void
  start: (id: ChatId, request: Record<string, unknown>) => void
}

/** The `/chat` protocol of one socket: several chats at once, each cancellable, each failing alone. */
export function createChatRelay(
  socket: ChatSocket,
  upstream: Upstream,
  logger: Logger,
  settings: RelaySettings,
) {
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
    /** Asks the client about one call and waits for its verdict, the timeout or the chat's end. */
    askApproval(id: ChatId, call: ToolCallInfo, signal: AbortSignal): Promise<Verdict> {
      const verdict = approvals.wait(id, call.id, signal)
      send({ type: 'tool_approval', id, call })
      return verdict
    },
    closed: () => closed,
  }

  async function start(id: ChatId, request: Record<string, unknown>) {
    const controller = new AbortController()
    running.set(id, controller)
    try {
      await runSocketChat(context, id, request, controller.signal)
    } finally {
      running.delete(id)
    }
  }

  const relay: Relay = { running, approvals, settings, send, fail, start: (id, m) => void start(id, m) }
  return {
    /** One client message: already JSON-parsed when it was JSON (Elysia does that), else the raw text. */
    message(message: unknown) {
      const refused = envelopeRefusal(message, settings.maxMessageBytes)
      if (refused) return fail(refused.id, refused.error)
      dispatch(relay, message as Record<string, unknown>)
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

function dispatch(relay: Relay, m: Record<string, unknown>) {
  switch (m.type) {
    case 'ping':
      return relay.send({ type: 'pong' })
    case 'cancel':
      return cancel(relay, m)
    case 'approve':
    case 'deny':
      return verdict(relay, m)
    case 'chat':
    case undefined:
    case null: // the seed's ChatRequest has no type; a pydantic client may still write one as null
      return chat(relay, m)
    default:
      return relay.fail(idOf(m), {
        code: 'unknown_type',
        message: `Unknown message type ${JSON.stringify(m.type)}: expected chat, cancel, approve, deny or ping`,
      })
  }
}

function chat(relay: Relay, message: Record<string, unknown>) {
  const invalid = schemaError('chat', message)
  if (invalid) return relay.fail(idOf(message), invalid)
  dropNullOptionals(ChatModel.chat, message)
  const id = (message.id as ChatId | undefined) ?? crypto.randomUUID()
  const refused = refusal(relay, id)
  if (refused) return relay.fail(id, refused)
  relay.start(id, message)
}

/** Why chat `id` may not start now, if it may not. */
function refusal({ running, settings }: Relay, id: ChatId): ChatError | undefined {
  const { maxChats, admit = () => 0, authorized = () => true } = settings
  if (running.has(id))
    return { code: 'duplicate_id', message: `A chat with id ${JSON.stringify(id)} is running` }
  if (running.size >= maxChats)
    return { code: 'too_many_requests', message: `At most ${maxChats} chats may run at once on one socket` }
  if (!authorized()) return { code: 'invalid_api_key', message: 'The API key of this socket was revoked' }
  const waitMs = admit()
  if (waitMs <= 0) return
  const retry_after_s = ceilSeconds(waitMs)
  return {
    code: 'rate_limited',
    message: `Too many chats for this API key; retry in ${retry_after_s} s`,
    retry_after_s,
  }
}

function cancel(relay: Relay, message: Record<string, unknown>) {
  const invalid = schemaError('cancel', message)
  if (invalid) return relay.fail(idOf(message), invalid)
  const controller = relay.running.get(message.id as ChatId)
  if (!controller)
    return relay.fail(message.id as ChatId, {
      code: 'unknown_id',
      message: `No chat with id ${JSON.stringify(message.id)} is running`,
    })
  controller.abort()
}

function verdict(relay: Relay, message: Record<string, unknown>) {
  const invalid = schemaError('verdict', message)
  if (invalid) return relay.fail(idOf(message), invalid)
  if (!relay.approvals.settle(message.id as ChatId, message.call_id as string, message.type === 'approve'))
    relay.fail(message.id as ChatId, {
      code: 'unknown_id',
      message: `No tool call ${JSON.stringify(message.call_id)} of chat ${JSON.stringify(message.id)} is waiting for approval`,
    })
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
