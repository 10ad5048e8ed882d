import type { Verdict } from './types'

type ChatId = string | number

/** Tool calls of a socket's chats waiting for the client's `approve` or `deny`, each for at most `timeoutMs`. */
export function createApprovals(timeoutMs: number) {
  const waiting = new Map<string, (verdict: Verdict) => void>()
  const keyOf = (id: ChatId, callId: string) => `${JSON.stringify(id)} ${callId}`
  // A timeout under a second (or not whole seconds) said "within 0 s": it is said in ms then.
  const limit = timeoutMs % 1000 === 0 ? `${timeoutMs / 1000} s` : `${timeoutMs} ms`

  return {
    /** The client's verdict on call `callId` of chat `id`, a refusal at the timeout or when the chat ends. */
    wait(id: ChatId, callId: string, signal: AbortSignal): Promise<Verdict> {
      const key = keyOf(id, callId)
      return new Promise((resolve) => {
        const settle = (verdict: Verdict) => {
          clearTimeout(timer)
          signal.removeEventListener('abort', onAbort)
          waiting.delete(key)
          resolve(verdict)
        }
        const timer = setTimeout(
          () => settle({ approved: false, reason: `No approval within ${limit}` }),
          timeoutMs,
        )
        const onAbort = () => settle({ approved: false, reason: 'The chat was cancelled' })
        signal.addEventListener('abort', onAbort, { once: true })
        waiting.set(key, settle)
      })
    },

    /** The client's answer; false when no such call is waiting. */
    settle(id: ChatId, callId: string, approved: boolean): boolean {
      const settle = waiting.get(keyOf(id, callId))
      settle?.(approved ? { approved: true } : { approved: false, reason: 'The user denied this call' })
      return settle !== undefined
    },
  }
}
