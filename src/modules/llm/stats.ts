import type { Logger } from '../../shared/logger'

/** Chats running on every socket and route, and how each ended (for /metrics). */
export type ChatStats = { active: number; ended: (outcome: string) => void }
export const createChatStats = (ended: (outcome: string) => void = () => {}): ChatStats => ({
  active: 0,
  ended,
})

/**
 * Counts one chat as running from now, and returns its end: the count goes down, the outcome is
 * counted, and one log line is written, without the chat's messages (`fields`, the outcome, `extra`
 * and the duration). Ending twice counts once.
 */
export function trackChat(stats: ChatStats, logger: Logger, fields: Record<string, unknown>) {
  const started = performance.now()
  let ended = false
  stats.active++
  return (outcome: string, extra: Record<string, unknown> = {}) => {
    if (ended) return
    ended = true
    stats.active--
    stats.ended(outcome)
    logger.info('chat', { ...fields, outcome, ...extra, ms: Math.round(performance.now() - started) })
  }
}
