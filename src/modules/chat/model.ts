import { t } from 'elysia'
import { integer, oneOf, optional } from '../../shared/model'
import { completionFields, flag } from '../llm/model'

const chatId = t.Union(
  [t.String({ minLength: 1, maxLength: 200 }), integer({ error: 'must be an integer' })],
  {
    description: 'Chosen by the client to tell concurrent chats apart; generated when absent',
    error: 'must be a non-empty string or an integer',
  },
)

export const ChatModel = {
  /** `{ type: "chat", … }`, or the seed's bare ChatRequest. Other OpenAI parameters are passed through. */
  chat: t.Object(
    {
      type: optional(t.Literal('chat', { error: 'must be "chat"' })),
      id: optional(chatId),
      ...completionFields,
      batch: flag(
        'With `stream`: each read from the upstream arrives as one `chunks` message holding its chunks in order, rather than one `chunk` message per chunk (fewer messages for the client to dispatch). Not sent to the upstream',
      ),
    },
    { additionalProperties: true },
  ),
  cancel: t.Object({ type: t.Literal('cancel'), id: chatId }),
  /** The client's answer to a `tool_approval`. */
  verdict: t.Object({
    type: oneOf(['approve', 'deny']),
    id: chatId,
    call_id: t.String({ minLength: 1, error: 'must be the id of the call in tool_approval' }),
  }),

  models: t.Object(
    { data: t.Array(t.Object({ id: t.String() }, { additionalProperties: true })) },
    { additionalProperties: true, description: "The upstream's `/models` answer, as it sent it" },
  ),
}

export const chatProtocol = [
  'WebSocket. Send `{ "type": "chat", "id", "model", "messages": [{ "role", "content", "name"? }], "stream"?, "batch"?, "temperature"?, "max_tokens"? }` (other OpenAI parameters are passed through; the seed\'s bare ChatRequest without `type` and `id` works too and gets a generated `id`; an optional field that is null counts as absent, as pydantic clients write them), `{ "type": "cancel", "id" }`, `{ "type": "approve" | "deny", "id", "call_id" }` or `{ "type": "ping" }`. Tool use adds `"tools"`, `"servers"`, `"max_steps"` and `"tool_approval"` (below).',
  'Streaming answers arrive as `{ type: "chunk", id, data: <OpenAI chunk> }`… then `{ type: "done", id, finish_reason, usage }`; with `"batch": true`, each read from the upstream arrives instead as one `{ type: "chunks", id, data: [<OpenAI chunk>, …] }` holding its chunks in order (the same chunks in fewer messages: a client pays for each message it dispatches, which caps how fast one message per chunk can go). Non-streaming answers arrive as `{ type: "response", id, data: <completion> }`. `{ type: "error", id, error: { code, message, status? } }` ends that chat only: the socket stays open. A cancelled chat ends with `{ type: "cancelled", id }`; closing the socket cancels all of its chats.',
  'Tool use: with `"tools": "auto"` (every tool of every healthy registered MCP server, see `GET /tools`), `"tools": [names]` or `"servers": [ids]`, AutoMCP offers those MCP tools to the model (with `"tools": "discover"`, or `"auto"` over `AUTOMCP_MAX_TOOLS` tools, only `search_tools` and `call_tool`, which search them and call one; `done` then says `discovery: true`), calls the ones it asks for (concurrently, each within `AUTOMCP_TOOL_TIMEOUT`) and asks it again, up to `max_steps` requests (`AUTOMCP_MAX_STEPS`, default 8; the last one with `tool_choice: "none"`). Each step streams `{ type: "tool_call", id, call: { id, name, server_id, arguments } }` and `{ type: "tool_result", id, call_id, ok, content, latency_ms }` between the model\'s chunks; `done` adds `steps` (and `max_steps_reached`). A failing call is an error result for the model, never the end of the chat. With `"tool_approval": "ask"` each call first sends `{ type: "tool_approval", id, call }` and waits for `{ type: "approve" | "deny", id, call_id }` (`AUTOMCP_TOOL_APPROVAL_TIMEOUT`, then it is not made).',
  'Several chats may run at once, told apart by `id` (`AUTOMCP_CHAT_CONCURRENCY`, default 4). Messages over 256 KB are refused with `message_too_large`. The socket also receives the `/events` stream (`server_update`, `server_registered`, `server_removed`).',
].join('\n\n')
