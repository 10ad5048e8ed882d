import type { ToolSet } from '../tools/catalog'
import type { Chunk } from './stream'
import type { Usage } from './usage'

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

type Message = {
  content?: string | null
  tool_calls?: { id?: string; function?: { name?: string; arguments?: string } }[]
}
export type Completion = {
  choices?: { message?: Message; finish_reason?: string | null }[]
  usage?: Usage | null
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
  /** The tools were offered in discovery mode (`search_tools` and `call_tool`). */
  discovery?: boolean
  /** All the text the model wrote, every step's in order (what a streaming client saw). */
  text: string
}
