import { clampLimit, maxSearchLimit, type SearchEntry, type ToolIndex } from './search'

// Discovery mode: a catalog too large to offer whole (hundreds of tools eat a model's context, and
// OpenAI takes 128 at most) is offered as two tools, one that searches it and one that calls a tool
// found. Shared by `/mcp` (as MCP tools) and chats (as OpenAI function tools).

export const searchToolsName = 'search_tools'
export const callToolName = 'call_tool'

/** An MCP tool definition, as `tools/list` gives it. */
export type DiscoveryTool = {
  name: string
  description: string
  inputSchema: { type: 'object'; properties: Record<string, unknown>; required?: string[] }
}

/** One tool `search_tools` found, as the caller reads it. */
export type FoundTool = {
  name: string
  description?: string
  server: string
  inputSchema: Record<string, unknown>
}

/** An MCP CallToolResult. */
export type DiscoveryResult = {
  content: { type: 'text'; text: string }[]
  structuredContent?: { tools: FoundTool[] }
  isError?: boolean
}

/** The two tools offered in discovery mode, in this order. */
export const discoveryTools: readonly DiscoveryTool[] = [
  {
    name: searchToolsName,
    description:
      'Search the available tools by what they do. Returns the best matches (name, description, server and input schema); call one with call_tool. An empty query lists tools of the healthiest servers.',
    inputSchema: {
      type: 'object',
      properties: {
        query: { type: 'string', description: 'Words describing the task, a tool name or a server name' },
        limit: {
          type: 'integer',
          minimum: 1,
          maximum: maxSearchLimit,
          description: 'How many tools at most (default 10)',
        },
      },
      required: ['query'],
    },
  },
  {
    name: callToolName,
    description:
      'Call a tool that search_tools found, by its exact name, with arguments that follow its input schema.',
    inputSchema: {
      type: 'object',
      properties: {
        name: { type: 'string', description: 'The tool name as search_tools gave it' },
        arguments: { type: 'object', description: "The tool's arguments", additionalProperties: true },
      },
      required: ['name'],
    },
  },
]

/** A failed meta-tool call, as the model or client reads it: an error result, never a thrown error. */
export const discoveryError = (message: string): DiscoveryResult => ({
  content: [{ type: 'text', text: message }],
  isError: true,
})

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * `search_tools`: the tools of `index` that best match `args.query`, at most `args.limit` (1 to 50,
 * default 10). The text is the JSON of `structuredContent` (MCP asks for both), or a hint when nothing
 * matched.
 */
export function answerSearch(index: ToolIndex<SearchEntry>, args: unknown): DiscoveryResult {
  if (!isObject(args))
    return discoveryError('The arguments must be an object: { "query": "…", "limit"?: 10 }')
  const { query, limit } = args
  if (typeof query !== 'string') return discoveryError('"query" must be a string (words describing the task)')
  if (
    limit !== undefined &&
    limit !== null &&
    !(typeof limit === 'number' && Number.isInteger(limit) && limit >= 1 && limit <= maxSearchLimit)
  )
    return discoveryError(`"limit" must be an integer from 1 to ${maxSearchLimit}`)
  const tools: FoundTool[] = index.search(query, clampLimit(limit ?? undefined)).map((t) => ({
    name: t.name,
    ...(t.description ? { description: t.description } : {}),
    server: t.serverName,
    inputSchema: t.inputSchema,
  }))
  const text =
    tools.length > 0
      ? JSON.stringify({ tools })
      : `No tool matches ${JSON.stringify(query)} among ${index.size}: try other words, or an empty query to list tools`
  return { content: [{ type: 'text', text }], structuredContent: { tools } }
}

/** `call_tool`'s arguments: the tool's name and its arguments (`{}` when absent), or what is wrong. */
export function parseCallTool(
  args: unknown,
): { name: string; arguments: Record<string, unknown> } | { error: string } {
  if (!isObject(args))
    return { error: 'The arguments must be an object: { "name": "…", "arguments": { … } }' }
  const { name, arguments: inner } = args
  if (typeof name !== 'string' || name === '')
    return { error: '"name" must be the name of a tool, as search_tools gave it' }
  if (inner !== undefined && inner !== null && !isObject(inner))
    return { error: '"arguments" must be an object holding the tool\'s arguments' }
  return { name, arguments: inner ?? {} }
}
