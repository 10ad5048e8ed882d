import { t } from 'elysia'
import { integer, oneOf, optional } from '../../shared/model'
import { ServerModel } from '../servers/model'
import type { ToolSelection } from './catalog'

/** AutoMCP's tool-use fields of a chat request, shared by `WS /chat` and `POST /v1/chat/completions`. */
export const toolUseFields = {
  tools: optional(
    t.Union(
      [
        oneOf(['auto', 'discover', 'none']),
        t.Array(t.String({ minLength: 1, maxLength: 200 }), { maxItems: 512 }),
        // OpenAI function tools of the client's own: passed to the upstream, called by the client.
        t.Array(t.Object({ type: t.String() }, { additionalProperties: true }), { maxItems: 512 }),
      ],
      {
        description:
          '"auto": every tool of every healthy registered MCP server (discovery mode past AUTOMCP_MAX_TOOLS); "discover": discovery mode, the model offered only `search_tools` and `call_tool` over those tools; a list of names: those tools (the function name the model sees, or the MCP tool name); "none": no tools; OpenAI function objects: passed through to the upstream',
        error: 'must be "auto", "discover", "none", a list of tool names or a list of OpenAI tools',
      },
    ),
  ),
  servers: optional(
    t.Array(t.String({ minLength: 1, error: 'must be a server id' }), {
      maxItems: 512,
      description: 'Only the tools of these servers (ids); unhealthy ones are left out',
      error: 'must be a list of at most 512 server ids',
    }),
  ),
  max_steps: optional(
    integer({
      minimum: 1,
      maximum: 64,
      description: 'Requests to the model at most, tool calls in between (default AUTOMCP_MAX_STEPS)',
      error: 'must be an integer from 1 to 64',
    }),
  ),
  tool_approval: optional(
    oneOf(['auto', 'ask'], {
      description: "ask: each call waits for the client's `approve` or `deny` (WebSocket only)",
    }),
  ),
}

export const ToolsModel = {
  query: t.Object({
    servers: t.Optional(
      t.String({ description: 'Comma-separated server ids; all healthy servers when absent' }),
    ),
  }),
  list: t.Object({
    data: t.Array(
      t.Object({
        name: t.String({
          description: 'The function name the model sees: `<server name>__<tool>`, sanitised',
        }),
        server_id: t.String(),
        server_name: t.String(),
        tool: t.String({ description: 'The MCP tool name on its server' }),
        description: t.Nullable(t.String()),
        input_schema: t.Record(t.String(), t.Unknown()),
      }),
    ),
  }),
}

/** One server's tools, listed and called directly: `/servers/{id}/tools`. */
export const DirectToolsModel = {
  callParams: t.Object({
    ...ServerModel.params.properties,
    name: t.String({
      minLength: 1,
      maxLength: 512,
      description: 'The MCP tool name, as the server lists it (URL-encoded)',
      error: 'must be a tool name of 1-512 characters',
    }),
  }),
  list: t.Object({
    data: t.Array(
      t.Object({
        name: t.String({ description: 'The MCP tool name on this server' }),
        description: t.Nullable(t.String()),
        input_schema: t.Record(t.String(), t.Unknown(), {
          description: "The tool's JSON Schema for its arguments, as the server lists it",
        }),
      }),
    ),
  }),
  callBody: t.Object(
    {
      arguments: optional(
        t.Record(t.String(), t.Unknown(), {
          description: "The tool's arguments (its input schema says which); {} when absent",
          error: 'must be a JSON object',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  callResult: t.Object({
    ok: t.Boolean({ description: 'The tool ran and reported no error (`is_error` false)' }),
    is_error: t.Boolean({ description: "The tool's own `isError`: it ran and reported an error" }),
    content: t.Array(t.Unknown(), {
      description: "The MCP result's content parts (text, image, audio, resource…) as the server sent them",
    }),
    structured_content: t.Unknown({ description: "The result's `structuredContent`, or null" }),
    latency_ms: t.Number({ description: 'How long the call took, as AutoMCP measured it' }),
  }),
}

/**
 * The tools a request asks for, or undefined for none. `tools` absent (or empty) means `fallback`:
 * none on `/chat`, where tool use is opt-in, and "auto" on the OpenAI-compatible API, whose clients know
 * nothing of AutoMCP.
 */
export function toolSelectionOf(
  request: { tools?: unknown; servers?: string[] },
  fallback: 'auto' | 'none',
): ToolSelection | undefined {
  const { tools, servers } = request
  const given = !(tools === undefined || (Array.isArray(tools) && tools.length === 0))
  if (tools === 'none' || (given && Array.isArray(tools) && typeof tools[0] === 'object')) return undefined
  if (!given && !servers && fallback === 'none') return undefined
  return {
    tools: Array.isArray(tools) && given ? (tools as string[]) : tools === 'discover' ? 'discover' : 'auto',
    ...(servers ? { servers } : {}),
  }
}
