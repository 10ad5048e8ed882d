import type { Logger } from '../../shared/logger'
import type { AppMetrics } from '../../shared/metrics'
import { createRateLimiter } from '../../shared/rate-limit'
import type { SocketRegistry } from '../../shared/sockets'
import type { LlmModule } from '../llm'
import { chatController } from '.'

/** `/chat` and `/chat/models` over the llm module; the chat rate per key is shared with `/v1`. */
export function createChatModule({
  llm,
  stillValid,
  sockets,
  chatConcurrency,
  chatRateLimit,
  metrics,
  logger,
}: {
  llm: LlmModule
  stillValid: (client: string) => boolean
  sockets: SocketRegistry
  chatConcurrency: number
  chatRateLimit: number
  metrics: AppMetrics
  logger: Logger
}) {
  const deps = {
    ...llm,
    tools: llm.tools.chat,
    stillValid,
    sockets,
    maxChats: chatConcurrency,
    chatLimiter: createRateLimiter(chatRateLimit),
    logger,
  }
  metrics.registry.gauge('automcp_chat_streams_active', 'Chats running now', () => [[{}, llm.stats.active]])
  return { deps, chatLimiter: deps.chatLimiter, controller: chatController(deps) }
}
