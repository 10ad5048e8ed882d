import { summaryOf } from '../llm/agent'
import type { Chunk } from '../llm/stream'
import type { AgentResult } from '../llm/types'

export type StreamChunk = {
  id?: string
  created?: number
  model?: string
  choices?: { index?: number; delta?: Record<string, unknown>; finish_reason?: string | null }[]
  usage?: unknown
}

const encoder = new TextEncoder()
/** One Server-Sent Event: a string goes as it is (a chunk as the upstream wrote it, `[DONE]`). */
export const event = (data: unknown) =>
  encoder.encode(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`)

/**
 * The upstream's chunks as a `/v1` client gets them. Without tool use they pass as written (the usage
 * chunk only when the client asked for it). With tool use the steps stay inside AutoMCP: their calls
 * and the usage of each step are left out, and the usage of every step comes summed at the end.
 */
export function createChunkFilter({ toolUse, includeUsage }: { toolUse: boolean; includeUsage: boolean }) {
  let last: StreamChunk = {}
  let roleSent = false

  function step(c: StreamChunk): Uint8Array | undefined {
    const choice = c.choices?.[0]
    if (!choice) return
    const delta = choice.delta ?? {}
    delete delta.tool_calls
    delete c.usage // each step's: the sum of all of them comes at the end
    if (choice.finish_reason === 'tool_calls') choice.finish_reason = null
    const keep =
      (typeof delta.content === 'string' && delta.content !== '') ||
      Boolean(choice.finish_reason) ||
      (!roleSent && delta.role !== undefined)
    if (!keep) return
    roleSent = true
    return event(c)
  }

  return {
    /** The last chunk seen: its id, created and model name the closing events. */
    get last() {
      return last
    },
    events(chunks: Chunk[]): Uint8Array[] {
      const events: Uint8Array[] = []
      for (const chunk of chunks) {
        const c = (chunk.parsed ?? JSON.parse(chunk.raw)) as StreamChunk
        last = c
        if (!toolUse) {
          if (c.choices?.[0] || includeUsage) events.push(event(chunk.raw))
          continue
        }
        const kept = step(c)
        if (kept) events.push(kept)
      }
      return events
    },
  }
}

/**
 * The events that end a stream: `finish_reason: "length"` when the model still wanted tools after the
 * last step, with tool use a last chunk with `automcp` (and the summed usage when asked for), `[DONE]`.
 */
export function closingEvents(last: StreamChunk, agent: AgentResult | undefined, includeUsage: boolean) {
  const tail = { id: last.id, object: 'chat.completion.chunk', created: last.created, model: last.model }
  const events: Uint8Array[] = []
  if (agent?.max_steps_reached)
    events.push(event({ ...tail, choices: [{ index: 0, delta: {}, finish_reason: 'length' }] }))
  if (agent)
    events.push(
      event({
        ...tail,
        choices: [],
        ...(includeUsage ? { usage: agent.usage } : {}),
        automcp: summaryOf(agent),
      }),
    )
  events.push(event('[DONE]'))
  return events
}
