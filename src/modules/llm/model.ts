import { t } from 'elysia'
import { integer, oneOf, optional } from '../../shared/model'
import { toolUseFields } from '../tools/model'

export const chatMessage = t.Object(
  {
    role: oneOf(['system', 'developer', 'user', 'assistant', 'tool']),
    content: t.Union([t.String(), t.Array(t.Object({}, { additionalProperties: true })), t.Null()], {
      error: 'must be a string, a list of content parts or null',
    }),
    name: optional(t.String({ error: 'must be a string' })),
  },
  // tool_call_id, tool_calls… go to the upstream as written.
  { additionalProperties: true },
)

/** An optional boolean field. */
export const flag = (description?: string) =>
  optional(t.Boolean({ error: 'must be true or false', ...(description ? { description } : {}) }))

/**
 * The fields `WS /chat` and `POST /v1/chat/completions` both read, checked the same way on both: an
 * optional one that is null counts as absent (see `optional`).
 */
export const completionFields = {
  model: t.String({ minLength: 1, error: 'must be a model id such as openai/gpt-4o-mini' }),
  messages: t.Array(chatMessage, { minItems: 1, error: 'must be a non-empty list of messages' }),
  stream: flag(),
  temperature: optional(t.Number({ minimum: 0, maximum: 2, error: 'must be a number from 0 to 2' })),
  max_tokens: optional(integer({ minimum: 1, error: 'must be an integer of 1 or more' })),
  ...toolUseFields,
}
