import type { TSchema } from '@sinclair/typebox'
import { t } from 'elysia'

// The `t` schemas below validate requests, shape responses and generate the OpenAPI document.

/** A toolset's name: a path segment of /mcp/<name> that never needs percent-encoding. */
export const toolsetNamePattern = '^[a-z0-9][a-z0-9_-]{0,63}$'

const name = t.String({
  pattern: toolsetNamePattern,
  description:
    'Served at /mcp/<name>: 1-64 lowercase letters, digits, "_" or "-", starting with a letter or digit; not `sse` or `message`',
  error: 'must be 1-64 lowercase letters, digits, "_" or "-", starting with a letter or digit',
  examples: ['docs'],
})
const list = <T extends TSchema>(item: T, what: string, description: string) =>
  t.Nullable(t.Array(item, { maxItems: 1000, error: `must be an array of at most 1000 ${what}, or null` }), {
    description,
    error: `must be an array of at most 1000 ${what}, or null`,
  })
const servers = list(
  t.String({ minLength: 1, maxLength: 64 }),
  'server ids',
  'Server ids; null (or absent): every server. Each must be registered when the toolset is saved',
)
const tags = list(
  t.String({ minLength: 1, maxLength: 64 }),
  'tags',
  'Only servers with at least one of these tags; null (or absent): any tags',
)
const tools = list(
  t.String({ minLength: 1, maxLength: 256 }),
  'tool names',
  'Only these tools, by their own name (`echo`) or prefixed (`<server>__echo`); null (or absent): every tool',
)
const prefix = t.Boolean({
  error: 'must be true or false',
  description:
    'true: tools are named `<server>__<tool>` as in chats; false: their own names (refused when two selected servers share one)',
})
const discovery = t.Boolean({
  error: 'must be true or false',
  description:
    'true: tools/list offers only `search_tools` and `call_tool`, for catalogs too large for a model',
})
const description = t.Nullable(t.String({ maxLength: 1000 }), {
  description: 'For people: what the toolset is for',
  error: 'must be a string of at most 1000 characters, or null',
})

/** What a toolset is made of, all optional: given when it is created, changed by a PATCH. */
const editable = {
  description: t.Optional(description),
  servers: t.Optional(servers),
  tags: t.Optional(tags),
  tools: t.Optional(tools),
  prefix: t.Optional(prefix),
  discovery: t.Optional(discovery),
}

export const ToolsetModel = {
  create: t.Object(
    { name, ...editable },
    {
      additionalProperties: false,
      description: 'A toolset: a selection of servers and tools served at /mcp/<name>',
    },
  ),

  patch: t.Object(editable, {
    additionalProperties: false,
    minProperties: 1,
    description: 'Fields to change; null widens a list to everything. The name cannot change (keys name it)',
  }),

  info: t.Object({
    id: t.String(),
    name: t.String(),
    description: t.Nullable(t.String()),
    servers: t.Nullable(t.Array(t.String(), { description: 'null: every server' })),
    tags: t.Nullable(t.Array(t.String(), { description: 'null: any tags' })),
    tools: t.Nullable(t.Array(t.String(), { description: 'null: every tool' })),
    prefix: t.Boolean(),
    discovery: t.Boolean(),
    created_at: t.Number({ description: 'Epoch seconds' }),
    updated_at: t.Number({ description: 'Epoch seconds' }),
  }),

  params: t.Object({ name: t.String({ maxLength: 256 }) }),
}

export type CreateToolsetBody = typeof ToolsetModel.create.static
export type PatchToolsetBody = typeof ToolsetModel.patch.static
export type ToolsetInfo = typeof ToolsetModel.info.static
