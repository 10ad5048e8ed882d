import { Aborted, type Chunk, type Upstream } from '../chat/upstream'
import type { CallOutcome, ToolEntry, ToolSet } from './catalog'

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
    for (let step = 1; ; step++) {
      const last = step >= maxSteps
      const request: Record<string, unknown> = { ...body, messages }
      if (tools.definitions.length > 0) {
        request.tools = tools.definitions
        if (last) request.tool_choice = 'none'
      }
      const answer = stream ? await streamStep(request) : await completeStep(request)
      usage = addUsage(usage, answer.usage)
      const end = (max_steps_reached: boolean): AgentResult => ({
        finish_reason: answer.finishReason,
        usage,
        ...(answer.completion ? { completion: { ...answer.completion, usage } } : {}),
        calls,
        steps: step,
        max_steps_reached,
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
      const prepared = raw.map((c) => {
        const entry = tools.byName.get(c.name)
        const args = parseArguments(c.arguments)
        const info: ToolCallInfo = {
          id: c.id,
          name: c.name,
          server_id: entry?.serverId ?? null,
          arguments: args ?? c.arguments,
        }
        hooks.toolCall?.(info)
        return { entry, args, info }
      })
      return Promise.all(
        prepared.map(async ({ entry, args, info }) => {
          const result = await runOne(entry, args, info)
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
      const raw: RawCall[] = []
      const end = await upstream.stream(
        request,
        (chunks) => {
          for (const chunk of chunks) {
            const delta = ((chunk.parsed ?? JSON.parse(chunk.raw)) as StreamChunk).choices?.[0]?.delta
            if (!delta) continue
            if (typeof delta.content === 'string') content += delta.content
            // A call arrives in pieces: its id and name first, then its arguments a fragment at a time.
            for (const part of delta.tool_calls ?? []) {
              const index = part.index ?? 0
              raw[index] ??= { id: '', name: '', arguments: '' }
              const slot = raw[index]
              if (part.id) slot.id = part.id
              if (part.function?.name) slot.name = part.function.name
              if (part.function?.arguments) slot.arguments += part.function.arguments
            }
          }
          return hooks.chunks?.(chunks)
        },
        signal,
      )
      const calls = raw.filter(Boolean).map((c, i) => ({ ...c, id: c.id || `call_${i}` }))
      return {
        completion: undefined,
        content,
        calls,
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
 * out (`omitted_bytes` says how much), so that one tool cannot send a client more than about 64 KB a part
 * (a `/chat` socket 1 MB behind is closed).
 */
export function boundedContent(content: unknown[]): unknown[] {
  return content.map((part) => {
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
  })
}

function addUsage(total: Usage | null, step: Usage | null | undefined): Usage | null {
  if (!step) return total
  if (!total) return { ...step }
  const sum = { ...step }
  for (const key of ['prompt_tokens', 'completion_tokens', 'total_tokens'] as const)
    if (typeof total[key] === 'number' || typeof step[key] === 'number')
      sum[key] = (total[key] ?? 0) + (step[key] ?? 0)
  return sum
}

const round = (ms: number) => Math.round(ms * 100) / 100
