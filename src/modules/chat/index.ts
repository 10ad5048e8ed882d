import { Elysia } from 'elysia'
import type { OpenAPIV3 } from 'openapi-types'
import type { Logger } from '../../shared/logger'
import { authErrors, ErrorModel } from '../../shared/model'
import type { RateLimiter } from '../../shared/rate-limit'
import type { SocketRegistry } from '../../shared/sockets'
import { checkHandshake } from '../../shared/websocket'
import { accessMacro, clientOf } from '../auth'
import { eventsTopic } from '../events/hub'
import type { ChatTools } from '../llm/chat'
import { modelListHandler } from '../llm/model-list'
import type { ModelCatalog } from '../llm/models'
import type { ChatStats } from '../llm/stats'
import type { Upstream } from '../llm/upstream'
import { ChatModel, chatProtocol } from './model'
import { type ChatRelay, createChatRelay } from './relay'

export type ChatDeps = {
  upstream: Upstream
  models: ModelCatalog
  maxChats: number
  chatLimiter: RateLimiter
  stats: ChatStats
  /** Whether the key that opened a socket still works (a revoked one stops its chats at once). */
  stillValid: (client: string) => boolean
  logger: Logger
  sockets: SocketRegistry
  tools?: ChatTools
}

const maxMessageBytes = 256 * 1024

/** `/chat/models` (cached pass-through of the upstream's list) and the `/chat` WebSocket relay. */
export const chatController = ({
  upstream,
  models,
  maxChats,
  chatLimiter,
  stats,
  stillValid,
  logger,
  sockets,
  tools,
}: ChatDeps) => {
  const relays = new WeakMap<object, ChatRelay>()

  const listModels = modelListHandler(models, 'upstream')
  // POST is the seed's verb for a read; /chat spends upstream credit, so it takes an admin key.
  const modelsDoc = {
    access: 'read' as const,
    response: { ...authErrors, 200: ChatModel.models, 502: ErrorModel },
    detail: {
      summary: "The upstream's models",
      description:
        'The upstream `/models` answer passed through, cached for `AUTOMCP_MODELS_CACHE_TTL` (header `x-cache`: hit, miss or stale). While the upstream fails a stale copy is served; with none, 502 names its status and message.',
    },
  }

  return new Elysia({ name: 'chat', detail: { tags: ['chat'] } })
    .use(accessMacro)
    .get('/chat/models', listModels, modelsDoc)
    .post('/chat/models', listModels, {
      ...modelsDoc,
      detail: { ...modelsDoc.detail, summary: "Same as GET (the seed's verb)" },
    })
    .ws('/chat', {
      access: 'admin',
      beforeHandle: checkHandshake,
      detail: { hide: true },
      open(ws) {
        // Elysia's copy of Bun's socket type predates getBufferedAmount(); the object is Bun's own.
        const socket = ws.raw as unknown as Bun.ServerWebSocket
        const client = clientOf(ws.data.request)
        const admit = () => chatLimiter.take(client)
        const authorized = () => stillValid(client)
        relays.set(
          ws.raw,
          createChatRelay(socket, upstream, logger, {
            maxChats,
            maxMessageBytes,
            admit,
            authorized,
            stats,
            tools,
          }),
        )
        sockets.add('/chat', ws.raw, client)
        ws.subscribe(eventsTopic)
      },
      message(ws, message) {
        relays.get(ws.raw)?.message(message)
      },
      drain(ws) {
        relays.get(ws.raw)?.drain()
      },
      close(ws) {
        relays.get(ws.raw)?.close()
        relays.delete(ws.raw)
        sockets.delete(ws.raw)
      },
    })
}

/** The OpenAPI entry for `/chat`, written by hand since OpenAPI cannot describe a WebSocket. */
export const chatPathDoc: OpenAPIV3.PathsObject = {
  '/chat': {
    get: {
      ...({ 'x-automcp-access': 'admin' } as object), // an OpenAPI extension: who may open it
      tags: ['chat'],
      summary: 'Chat with the upstream model (WebSocket)',
      description: chatProtocol,
      responses: { '101': { description: 'Switching Protocols: the chat socket' } },
    },
  },
}
