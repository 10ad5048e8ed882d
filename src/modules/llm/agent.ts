import type { CallOutcome, ToolEntry, ToolSet } from '../tools/catalog'
import { Aborted, type Chunk, type Upstream } from './upstream'

/** A tool call the model asked for, as `/chat` reports it. */
export type ToolCallInfo = { id: string; name: string; server_id: string | null; arguments: unknown }
export type ToolResultInfo = { call_id: string; ok: boolean; content: unknown[]; latency_ms: number }
/** A call made during a chat, with how it went: the `automcp.tool_calls` of an OpenAI-style answer. */
export type CallRecord = ToolCallInfo & { ok: boolean; latency_ms: number }

export type Verdict = { approved: true } | { approved: false; reason: string }

export type AgentHooks = {
  /** Streaming: every read's chunks of every step, as the upstream wrote them (a promise pauses reading). */
  chunks?: (chunks: Chunk[]) => void | Promise<void>
  toolCall?: (call: ToolCallInfo) => void
  toolResult?: (result: ToolResultInfo) => void
  /** Asked before each call when the client approves calls itself. */
  approve?: (call: ToolCallInfo, signal: AbortSignal) => Promise<Verdict>
}

export type AgentRequest = {
  /** The OpenAI request (model, messages, parameters) without AutoMCP's own fields. */
  body: Record<string, unknown>
  stream: boolean
  tools: ToolSet
  maxSteps: number
  signal: AbortSignal
  hooks?: AgentHooks
}

export type Usage = Record<string, unknown> & {
  prompt_tokens?: number
  completion_tokens?: number
  total_tokens?: number
}

export type AgentResult = {
  finish_reason: string | null
  /** Summed over every step. */
  usage: Usage | null
  /** Non-streaming: the last step's completion. */
  completion?: Completion
  calls: CallRecord[]
  steps: number
  /** The model still wanted tools after the last step allowed. */
  max_steps_reached: boolean
  /** All the text the model wrote, every step's in order (what a streaming client saw). */
  text: string
}

/** What a chat with tool use did: the `automcp` field of its answer (and `steps` of `/chat`'s `done`). */
export const summaryOf = (result: AgentResult) => ({
  tool_calls: result.calls,
  steps: result.steps,
  ...(result.max_steps_reached ? { max_steps_reached: true } : {}),
})

type RawCall = { id: string; name: string; arguments: string }
type Message = {
  content?: string | null
  tool_calls?: { id?: string; function?: { name?: string; arguments?: string } }[]
}
export type Completion = {
  choices?: { message?: Message; finish_reason?: string | null }[]
  usage?: Usage | null
}
type Delta = {
  content?: string | null
  tool_calls?: { index?: number; id?: string; function?: { name?: string; arguments?: string } }[]
}
type StreamChunk = { choices?: { delta?: Delta }[] }

// What the model gets of a tool's answer at most: one result must not eat its whole context.
const maxResultChars = 64 * 1024
// What a client is sent of one result at most, all parts together.
const maxClientChars = 256 * 1024
// Calls run at once in one step; a model asking for more gets error results for the rest.
const maxCallsPerStep = 32
// Tool-call indexes a stream may use: far more than any model sends, few enough to keep in a Map.
const maxCallIndex = 1024

/**
 * The tool calls of a streamed answer, put together from their pieces: a call arrives as its id and
 * name, then its arguments a fragment at a time, told apart by `index`. Some servers send each call
 * whole and leave `index` out: a piece with a new id then starts a new call.
 */
class CallPieces {
  private readonly byIndex = new Map<number, RawCall>()
  private last: RawCall | undefined

  add(part: { index?: number; id?: string; function?: { name?: string; arguments?: string } }) {
    const index = Number.isInteger(part.index) ? (part.index as number) : undefined
    let slot: RawCall | undefined
    if (index !== undefined && index >= 0 && index < maxCallIndex) slot = this.byIndex.get(index)
    else if (!part.id || part.id === this.last?.id) slot = this.last
    if (!slot) {
      slot = { id: '', name: '', arguments: '' }
      this.byIndex.set(
        index !== undefined && index >= 0 && index < maxCallIndex ? index : -this.byIndex.size - 1,
        slot,
      )
    }
    if (part.id) slot.id = part.id
    if (part.function?.name) slot.name = part.function.name
    if (part.function?.arguments) slot.arguments += part.function.arguments
    this.last = slot
  }

  calls(): RawCall[] {
    return [...this.byIndex.values()].map((c, i) => ({ ...c, id: c.id || `call_${i}` }))
  }
}

export type Agent = ReturnType<typeof createAgent>

/**
 * The tool loop: ask the model with the tools offered, run the calls it makes (concurrently, each through
 * `call`, which never throws), append the results and ask again, up to `maxSteps` requests. The last
 * allowed request says `tool_choice: "none"` so that the model answers with what it has.
 */
export function createAgent(
  upstream: Upstream,
  call: (entry: ToolEntry, args: Record<string, unknown>, signal: AbortSignal) => Promise<CallOutcome>,
) {
  return async function run({
    body,
    stream,
    tools,
    maxSteps,
    signal,
    hooks = {},
  }: AgentRequest): Promise<AgentResult> {
    const messages = [...(body.messages as unknown[])]
    const calls: CallRecord[] = []
    let usage: Usage | null = null
    let text = ''
    // Call ids as the model gave them, made unique within the chat: a repeated id would answer two
    // calls with one result (and one approval).
    const callIds = new Set<string>()
    const uniqueId = (id: string) => {
      let unique = id
      for (let n = 2; callIds.has(unique); n++) unique = `${id}_${n}`
      callIds.add(unique)
      return unique
    }
    for (let step = 1; ; step++) {
      const last = step >= maxSteps
      const request: Record<string, unknown> = { ...body, messages }
      if (tools.definitions.length > 0) {
        request.tools = tools.definitions
        if (last) request.tool_choice = 'none'
      }
      const answer = stream ? await streamStep(request) : await completeStep(request)
      usage = addUsage(usage, answer.usage)
      text += answer.content
      for (const c of answer.calls) c.id = uniqueId(c.id)
      const end = (max_steps_reached: boolean): AgentResult => ({
        finish_reason: answer.finishReason,
        usage,
        ...(answer.completion ? { completion: { ...answer.completion, usage } } : {}),
        calls,
        steps: step,
        max_steps_reached,
        text,
      })
      if (answer.calls.length === 0) return end(false)
      if (last) return end(true)
      messages.push({
        role: 'assistant',
        content: answer.content || null,
        tool_calls: answer.calls.map((c) => ({
          id: c.id,
          type: 'function',
          function: { name: c.name, arguments: c.arguments },
        })),
      })
      const results = await runCalls(answer.calls)
      if (signal.aborted) throw new Aborted('cancelled')
      answer.calls.forEach((c, i) => {
        const result = results[i] as CallOutcome & { info: ToolCallInfo }
        calls.push({ ...result.info, ok: result.ok, latency_ms: round(result.latencyMs) })
        messages.push({ role: 'tool', tool_call_id: c.id, content: resultText(result) })
      })
    }

    async function runCalls(raw: RawCall[]) {
      const prepared = raw.map((c, i) => {
        const entry = tools.byName.get(c.name)
        const args = parseArguments(c.arguments)
        const info: ToolCallInfo = {
          id: c.id,
          name: c.name,
          server_id: entry?.serverId ?? null,
          arguments: args ?? c.arguments,
        }
        hooks.toolCall?.(info)
        return { entry, args, info, over: i >= maxCallsPerStep }
      })
      return Promise.all(
        prepared.map(async ({ entry, args, info, over }) => {
          const result = over
            ? refused(`At most ${maxCallsPerStep} tools are called in one step; ask for the others next`)
            : await runOne(entry, args, info)
          // A cancelled chat ends with `cancelled`, not with the failures its cancellation caused.
          if (!signal.aborted)
            hooks.toolResult?.({
              call_id: info.id,
              ok: result.ok,
              content: boundedContent(result.content),
              latency_ms: round(result.latencyMs),
            })
          return { ...result, info }
        }),
      )
    }

    async function runOne(
      entry: ToolEntry | undefined,
      args: Record<string, unknown> | undefined,
      info: ToolCallInfo,
    ): Promise<CallOutcome> {
      if (!entry) return refused(`There is no tool named ${JSON.stringify(info.name)}`)
      if (!args) return refused('The arguments are not a JSON object')
      if (hooks.approve) {
        const verdict = await hooks.approve(info, signal)
        if (!verdict.approved) return refused(verdict.reason)
      }
      return call(entry, args, signal)
    }

    async function completeStep(request: Record<string, unknown>) {
      const completion = (await upstream.complete(request, signal)) as Completion
      const choice = completion.choices?.[0]
      const message = choice?.message ?? {}
      const raw = (message.tool_calls ?? []).map((c, i) => ({
        id: c.id || `call_${i}`,
        name: c.function?.name ?? '',
        arguments: c.function?.arguments ?? '',
      }))
      return {
        completion,
        content: typeof message.content === 'string' ? message.content : '',
        calls: raw,
        finishReason: choice?.finish_reason ?? null,
        usage: completion.usage ?? null,
      }
    }

    async function streamStep(request: Record<string, unknown>) {
      let content = ''
      const pieces = new CallPieces()
      const end = await upstream.stream(
        request,
        (chunks) => {
          for (const chunk of chunks) {
            const delta = ((chunk.parsed ?? JSON.parse(chunk.raw)) as StreamChunk).choices?.[0]?.delta
            if (!delta) continue
            if (typeof delta.content === 'string') content += delta.content
            for (const part of delta.tool_calls ?? []) pieces.add(part)
          }
          return hooks.chunks?.(chunks)
        },
        signal,
      )
      return {
        completion: undefined,
        content,
        calls: pieces.calls(),
        finishReason: end.finish_reason,
        usage: end.usage as Usage | null,
      }
    }
  }
}

function parseArguments(text: string): Record<string, unknown> | undefined {
  if (text.trim() === '') return {}
  try {
    const value = JSON.parse(text)
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined
  } catch {
    return undefined
  }
}

const refused = (message: string): CallOutcome => ({
  ok: false,
  content: [{ type: 'text', text: message }],
  latencyMs: 0,
  error: message,
})

/** A tool's answer as the text of a `tool` message: its text parts, and a note for what is not text. */
export function resultText(result: CallOutcome): string {
  const parts = result.content.map((part) => {
    const p = part as {
      type?: string
      text?: string
      mimeType?: string
      uri?: string
      resource?: { uri?: string; text?: string }
    }
    if (p.type === 'text' && typeof p.text === 'string') return p.text
    if (p.type === 'resource') return p.resource?.text ?? `[resource ${p.resource?.uri ?? ''}]`
    if (p.type === 'resource_link') return `[resource ${p.uri ?? ''}]`
    if (p.type === 'image' || p.type === 'audio') return `[${p.type} ${p.mimeType ?? ''}]`
    return JSON.stringify(part)
  })
  let text = parts.join('\n')
  if (text === '' && result.structuredContent !== undefined) text = JSON.stringify(result.structuredContent)
  if (!result.ok) text = `Error: ${text}`
  return text.length > maxResultChars ? `${text.slice(0, maxResultChars)}… [truncated]` : text
}

/**
 * A result's content as a client is sent it: a large text is cut and a large image's or audio's data left
 * out (`omitted_bytes` says how much), and parts past 256 KB in all are left out, so that one tool cannot
 * flood a client (a `/chat` socket 1 MB behind is closed).
 */
export function boundedContent(content: unknown[]): unknown[] {
  let budget = maxClientChars
  const parts: unknown[] = []
  for (const part of content) {
    const bounded = boundedPart(part)
    const size = JSON.stringify(bounded).length
    if (size > budget) {
      parts.push({ type: 'text', text: `[${content.length - parts.length} more parts left out]` })
      break
    }
    budget -= size
    parts.push(bounded)
  }
  return parts
}

function boundedPart(part: unknown): unknown {
  const p = part as {
    type?: string
    text?: unknown
    data?: unknown
    resource?: { text?: unknown; blob?: unknown }
  }
  if (typeof p.text === 'string' && p.text.length > maxResultChars)
    return { ...p, text: `${p.text.slice(0, maxResultChars)}… [truncated]` }
  if (typeof p.data === 'string' && p.data.length > maxResultChars) {
    const { data, ...rest } = p
    return { ...rest, omitted_bytes: Math.floor((data.length * 3) / 4) }
  }
  const r = p.resource
  if (
    r &&
    ((typeof r.text === 'string' && r.text.length > maxResultChars) ||
      (typeof r.blob === 'string' && r.blob.length > maxResultChars))
  ) {
    const { text, blob, ...rest } = r
    const size = typeof blob === 'string' ? Math.floor((blob.length * 3) / 4) : String(text).length
    return { ...p, resource: { ...rest, omitted_bytes: size } }
  }
  return part
}

function addUsage(total: Usage | null, step: Usage | null | undefined): Usage | null {
  if (!step) return total
  if (!total) return structuredClone(step)
  return sumNumbers(total, step) as Usage
}

/** Every number in `b` added to the one at the same place in `a` (token counts, their details, cost). */
function sumNumbers(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return a + b
  if (isObject(a) && isObject(b)) {
    const sum: Record<string, unknown> = { ...a }
    for (const [key, value] of Object.entries(b)) sum[key] = key in a ? sumNumbers(a[key], value) : value
    return sum
  }
  return b ?? a
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const round = (ms: number) => Math.round(ms * 100) / 100
