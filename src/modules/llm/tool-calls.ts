import { roundMs } from '../../shared/time'
import type { CallOutcome, ToolEntry, ToolSet } from '../tools/catalog'
import type { RawCall } from './call-pieces'
import { boundedContent, refused } from './tool-results'
import type { AgentHooks, ToolCallInfo } from './types'

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
        : await runOne(entry, args, info, step)
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
  entry: ToolEntry | undefined,
  args: Record<string, unknown> | undefined,
  info: ToolCallInfo,
  { hooks, signal, call }: StepCalls,
): Promise<CallOutcome> {
  if (!entry) return refused(`There is no tool named ${JSON.stringify(info.name)}`)
  if (!args) return refused('The arguments are not a JSON object')
  if (hooks.approve) {
    const verdict = await hooks.approve(info, signal)
    if (!verdict.approved) return refused(verdict.reason)
  }
  return call(entry, args, signal)
}

/** A call's arguments as an object (empty text is `{}`); undefined when they are not a JSON object. */
export function parseArguments(text: string): Record<string, unknown> | undefined {
  if (text.trim() === '') return {}
  try {
    const value = JSON.parse(text)
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined
  } catch {
    return undefined
  }
}
