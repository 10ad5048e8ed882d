import { t } from 'elysia'
import { optional } from '../../shared/model'
import { completionFields } from '../llm/model'

export const OpenAIModel = {
  /** OpenAI's chat completion request; parameters AutoMCP does not read go to the upstream as sent. */
  completionRequest: t.Object(
    {
      ...completionFields,
      stream_options: optional(
        t.Object(
          { include_usage: optional(t.Boolean({ error: 'must be true or false' })) },
          { additionalProperties: true, error: 'must be an object such as {"include_usage": true}' },
        ),
      ),
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
