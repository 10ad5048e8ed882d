import { roundMs } from '../../shared/time'
import type { ToolSet } from '../tools/catalog'
import { uniqueIds } from './call-pieces'
import { Aborted } from './errors'
import { completeStep, type StepAnswer, streamStep } from './steps'
import { type CallTool, runCalls } from './tool-calls'
import { resultText } from './tool-results'
import type { AgentRequest, AgentResult, CallRecord } from './types'
import type { Upstream } from './upstream'
import { addUsage, type Usage } from './usage'

/** What a chat with tool use did: the `automcp` field of its answer (and `steps` of `/chat`'s `done`). */
export const summaryOf = (result: AgentResult) => ({
  tool_calls: result.calls,
  steps: result.steps,
  ...(result.max_steps_reached ? { max_steps_reached: true } : {}),
  // Tells a client of "auto" that its catalog was too large and the model searched it instead.
  ...(result.discovery ? { discovery: true } : {}),
})

export type Agent = ReturnType<typeof createAgent>

/**
 * The tool loop: ask the model with the tools offered, run the calls it makes (concurrently, each through
 * `call`, which never throws), append the results and ask again, up to `maxSteps` requests. The last
 * allowed request says `tool_choice: "none"` so that the model answers with what it has.
 */
export function createAgent(upstream: Upstream, call: CallTool) {
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
    const uniqueId = uniqueIds()
    let usage: Usage | null = null
    let text = ''
    for (let step = 1; ; step++) {
      const last = step >= maxSteps
      const request = stepRequest(body, messages, tools, last)
      const answer = stream
        ? await streamStep(upstream, request, signal, (chunks) => hooks.chunks?.(chunks))
        : await completeStep(upstream, request, signal)
      usage = addUsage(usage, answer.usage)
      text += answer.content
      for (const c of answer.calls) c.id = uniqueId(c.id)
      if (answer.calls.length === 0 || last)
        return {
          finish_reason: answer.finishReason,
          usage,
          ...(answer.completion ? { completion: { ...answer.completion, usage } } : {}),
          calls,
          steps: step,
          max_steps_reached: answer.calls.length > 0,
          ...(tools.discovery ? { discovery: true } : {}),
          text,
        }
      messages.push(assistantMessage(answer))
      const results = await runCalls(answer.calls, { tools, hooks, signal, call })
      if (signal.aborted) throw new Aborted('cancelled')
      answer.calls.forEach((c, i) => {
        const result = results[i] as (typeof results)[number]
        calls.push({ ...result.info, ok: result.ok, latency_ms: roundMs(result.latencyMs) })
        messages.push({ role: 'tool', tool_call_id: c.id, content: resultText(result) })
      })
    }
  }
}

/** One step's request: the conversation so far, the tools, and on the last step no more tool calls. */
function stepRequest(
  body: Record<string, unknown>,
  messages: unknown[],
  tools: ToolSet,
  last: boolean,
): Record<string, unknown> {
  const request: Record<string, unknown> = { ...body, messages }
  if (tools.definitions.length > 0) {
    request.tools = tools.definitions
    if (last) request.tool_choice = 'none'
  }
  return request
}

/** The model's turn with its tool calls, as the next step's request repeats it. */
const assistantMessage = (answer: StepAnswer) => ({
  role: 'assistant',
  content: answer.content || null,
  tool_calls: answer.calls.map((c) => ({
    id: c.id,
    type: 'function',
    function: { name: c.name, arguments: c.arguments },
  })),
})
