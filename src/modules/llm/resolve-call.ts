import type { CallOutcome, ToolEntry, ToolSet } from '../tools/catalog'
import { answerSearch, callToolName, parseCallTool, searchToolsName } from '../tools/discovery'
import type { RawCall } from './call-pieces'
import type { ToolCallInfo } from './types'

/**
 * What a call of the model comes to: the MCP tool to call with its arguments (`entry` and `args`, either
 * missing when the call cannot be made), or an `answer` AutoMCP gives itself (`search_tools`), or a
 * `refusal`. `info` is what the client is told of the call.
 */
export type ResolvedCall = {
  info: ToolCallInfo
  entry?: ToolEntry
  args?: Record<string, unknown>
  answer?: CallOutcome
  refusal?: string
}

/**
 * A call as the tool set resolves it. In discovery mode `search_tools` is answered from the index and
 * `call_tool` stands for the tool it names: the client is told of that tool (its name, server and own
 * arguments), so approvals and records read the same as without discovery. A model that calls a found
 * tool by its name directly is served too: it is a tool of the chat.
 */
export function resolveCall(tools: ToolSet, call: RawCall): ResolvedCall {
  const args = parseArguments(call.arguments)
  const direct = tools.byName.get(call.name)
  const info = (name: string, entry: ToolEntry | undefined, shown: unknown): ToolCallInfo => ({
    id: call.id,
    name,
    server_id: entry?.serverId ?? null,
    arguments: shown,
  })
  if (!tools.discovery || direct || (call.name !== searchToolsName && call.name !== callToolName))
    return {
      info: info(call.name, direct, args ?? call.arguments),
      entry: direct,
      args,
      ...(direct || !tools.discovery ? {} : { refusal: unknownTool(call.name) }),
    }
  if (!args) return { info: info(call.name, undefined, call.arguments), refusal: notAnObject }
  if (call.name === searchToolsName) {
    const result = answerSearch(tools.discovery, args)
    return {
      info: info(call.name, undefined, args),
      answer: {
        ok: !result.isError,
        content: result.content,
        ...(result.structuredContent ? { structuredContent: result.structuredContent } : {}),
        latencyMs: 0,
      },
    }
  }
  const target = parseCallTool(args)
  if ('error' in target) return { info: info(call.name, undefined, args), refusal: target.error }
  const entry = tools.byName.get(target.name)
  return {
    info: info(target.name, entry, target.arguments),
    entry,
    args: target.arguments,
    ...(entry ? {} : { refusal: unknownTool(target.name) }),
  }
}

const notAnObject = 'The arguments are not a JSON object'

const unknownTool = (name: string) =>
  `There is no tool named ${JSON.stringify(name)}: search_tools finds the tools there are, call_tool calls one by the name it gives`

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
