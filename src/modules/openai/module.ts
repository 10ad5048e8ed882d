import type { Logger } from '../../shared/logger'
import type { RateLimiter } from '../../shared/rate-limit'
import type { LlmModule } from '../llm'
import { openaiController } from '.'
import { createCompletions } from './service'

/** The OpenAI-compatible `/v1` over the llm module, sharing `/chat`'s rate per key. */
export function createOpenaiModule({
  llm,
  chatLimiter,
  keepAliveMs,
  logger,
}: {
  llm: LlmModule
  chatLimiter: RateLimiter
  keepAliveMs: number
  logger: Logger
}) {
  const deps = {
    completions: createCompletions({ ...llm, tools: llm.tools.v1, logger, keepAliveMs }),
    models: llm.models,
    chatLimiter,
  }
  return { deps, controller: openaiController(deps) }
}
