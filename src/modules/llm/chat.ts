import type { ToolSelection, ToolSet } from '../tools/catalog'
import { toolSelectionOf } from '../tools/model'
import type { Agent } from './agent'
import { UpstreamError } from './errors'
import type { AgentHooks, AgentResult } from './types'
import type { Upstream } from './upstream'

/** Tool use: the MCP tools of healthy servers and the loop that runs them. */
export type ChatTools = {
  select: (selection: ToolSelection, signal: AbortSignal) => Promise<ToolSet>
  run: Agent
  maxSteps: number
  /** How long a call waits for the client's `approve` or `deny` with `tool_approval: "ask"`. */
  approvalTimeoutMs: number
}

// AutoMCP's own fields of a chat request, on every transport: the upstream never sees them.
const ownFields = ['tools', 'servers', 'max_steps', 'tool_approval', 'stream']

export type SplitRequest = {
  /** The request as the upstream gets it. */
  body: Record<string, unknown>
  /** The MCP tools the chat asks for; undefined: none. */
  selection: ToolSelection | undefined
  maxSteps: number | undefined
}

/**
 * A chat request split into what goes to the upstream and what AutoMCP acts on. `fallback` is the tool
 * use of a request that names none; `transportFields` are the transport's own, dropped as well. The
 * client's own OpenAI function tools go to the upstream untouched.
 */
export function splitRequest(
  request: Record<string, unknown>,
  fallback: 'auto' | 'none',
  transportFields: readonly string[] = [],
): SplitRequest {
  const body: Record<string, unknown> = { ...request }
  for (const field of [...ownFields, ...transportFields]) delete body[field]
  const selection = toolSelectionOf(request as { tools?: unknown; servers?: string[] }, fallback)
  const tools = request.tools
  if (!selection && Array.isArray(tools) && tools.length > 0) body.tools = tools
  return { body, selection, maxSteps: request.max_steps as number | undefined }
}

export type ChatRun = SplitRequest & { stream: boolean; signal: AbortSignal; hooks?: AgentHooks }

export type ChatResult = {
  finish_reason: string | null
  usage: unknown
  /** Non-streaming: the completion to answer with. */
  completion?: unknown
  /** With tool use: what the tool loop did. */
  agent?: AgentResult
}

/** One chat: through the tool loop when it selected tools, else straight to the upstream. */
export async function runChat(
  upstream: Upstream,
  tools: ChatTools | undefined,
  { body, selection, maxSteps, stream, signal, hooks = {} }: ChatRun,
): Promise<ChatResult> {
  if (selection) {
    if (!tools) throw new UpstreamError('tools_unavailable', 'Tool use is not set up on this server')
    const agent = await tools.run({
      body,
      stream,
      tools: await tools.select(selection, signal),
      maxSteps: maxSteps ?? tools.maxSteps,
      signal,
      hooks,
    })
    return { finish_reason: agent.finish_reason, usage: agent.usage, completion: agent.completion, agent }
  }
  if (stream) {
    const end = await upstream.stream(body, (chunks) => hooks.chunks?.(chunks), signal)
    return { finish_reason: end.finish_reason, usage: end.usage }
  }
  return { finish_reason: null, usage: null, completion: await upstream.complete(body, signal) }
}
