import { t } from 'elysia'
import { chatMessage } from '../chat/model'
import { toolUseFields } from '../tools/model'

export const OpenAIModel = {
  /** OpenAI's chat completion request; parameters AutoMCP does not read go to the upstream as sent. */
  completionRequest: t.Object(
    {
      model: t.String({ minLength: 1, error: 'must be a model id such as openai/gpt-4o-mini' }),
      messages: t.Array(chatMessage, { minItems: 1, error: 'must be a non-empty list of messages' }),
      stream: t.Optional(t.Boolean()),
      stream_options: t.Optional(
        t.Object({ include_usage: t.Optional(t.Boolean()) }, { additionalProperties: true }),
      ),
      ...toolUseFields,
    },
    { additionalProperties: true },
  ),

  completion: t.Object(
    {
      id: t.String(),
      object: t.String(),
      choices: t.Array(t.Object({}, { additionalProperties: true })),
      automcp: t.Optional(
        t.Object(
          {
            tool_calls: t.Array(
              t.Object({
                id: t.String(),
                name: t.String(),
                server_id: t.Nullable(t.String()),
                arguments: t.Unknown(),
                ok: t.Boolean(),
                latency_ms: t.Number(),
              }),
            ),
            steps: t.Integer(),
            max_steps_reached: t.Optional(t.Boolean()),
          },
          { description: 'The MCP tool calls AutoMCP made to reach this answer' },
        ),
      ),
    },
    {
      additionalProperties: true,
      description:
        'The last completion of the upstream, with `usage` summed over every step and `automcp` listing the tool calls made; with `stream: true`, Server-Sent Events of chat.completion.chunk objects ending with `data: [DONE]`',
    },
  ),

  models: t.Object(
    {
      object: t.Literal('list'),
      data: t.Array(t.Object({ id: t.String() }, { additionalProperties: true })),
    },
    { additionalProperties: true },
  ),
}
