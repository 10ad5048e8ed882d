import { roundMs } from '../../shared/time'
import type { CallOutcome, ToolEntry, ToolSet } from '../tools/catalog'
import type { RawCall } from './call-pieces'
import { type ResolvedCall, resolveCall } from './resolve-call'
import { boundedContent, refused } from './tool-results'
import type { AgentHooks } from './types'

export { parseArguments } from './resolve-call'

// Calls run at once in one step; a model asking for more gets error results for the rest.
const maxCallsPerStep = 32

export type CallTool = (
  entry: ToolEntry,
  args: Record<string, unknown>,
  signal: AbortSignal,
) => Promise<CallOutcome>

export type StepCalls = { tools: ToolSet; hooks: AgentHooks; signal: AbortSignal; call: CallTool }

/** The calls of one step, run at once; each result in the order asked, with what the client was told. */
export function runCalls(raw: RawCall[], step: StepCalls) {
  const { tools, hooks, signal } = step
  const prepared = raw.map((c, i) => {
    const resolved = resolveCall(tools, c)
    hooks.toolCall?.(resolved.info)
    return { resolved, over: i >= maxCallsPerStep }
  })
  return Promise.all(
    prepared.map(async ({ resolved, over }) => {
      const { info } = resolved
      const result = over
        ? refused(`At most ${maxCallsPerStep} tools are called in one step; ask for the others next`)
        : await runOne(resolved, step)
      // A cancelled chat ends with `cancelled`, not with the failures its cancellation caused.
      if (!signal.aborted)
        hooks.toolResult?.({
          call_id: info.id,
          ok: result.ok,
          content: boundedContent(result.content),
          latency_ms: roundMs(result.latencyMs),
        })
      return { ...result, info }
    }),
  )
}

async function runOne(
  { entry, args, info, answer, refusal }: ResolvedCall,
  { hooks, signal, call }: StepCalls,
): Promise<CallOutcome> {
  // Answered by AutoMCP itself (a search of the catalog): no server is called, nothing to approve.
  if (answer) return answer
  if (refusal) return refused(refusal)
  if (!entry) return refused(`There is no tool named ${JSON.stringify(info.name)}`)
  if (!args) return refused('The arguments are not a JSON object')
  if (hooks.approve) {
    const verdict = await hooks.approve(info, signal)
    if (!verdict.approved) return refused(verdict.reason)
  }
  return call(entry, args, signal)
}
