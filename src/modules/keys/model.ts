import { t } from 'elysia'
import { oneOf } from '../../shared/model'
import { toolsetNamePattern } from '../toolsets/model'

// The `t` schemas below validate requests, shape responses and generate the OpenAPI document.

const role = oneOf(['admin', 'read'] as const, {
  description: '`read`: GET routes only; `admin`: every route',
})

const info = {
  id: t.String({ description: 'e.g. key_1a2b3c4d' }),
  name: t.String(),
  role,
  toolset: t.Nullable(
    t.String({
      description: 'The toolset the key is limited to: it reaches /mcp/<toolset> and nothing else',
    }),
  ),
  prefix: t.String({ description: 'The first characters of the key, to recognise it' }),
  created_at: t.Number({ description: 'Epoch seconds' }),
  last_used_at: t.Nullable(t.Number({ description: 'Epoch seconds, to the minute' })),
  revoked_at: t.Nullable(t.Number({ description: 'Epoch seconds; null while the key works' })),
}

export const KeyModel = {
  create: t.Object(
    {
      name: t.String({ minLength: 1, maxLength: 200, error: 'must be a string of 1-200 characters' }),
      role: t.Optional(role),
      toolset: t.Optional(
        t.String({
          pattern: toolsetNamePattern,
          description:
            "Limit the key to this toolset's gateway (/mcp/<toolset>); `role` then defaults to `read`",
          error: 'must be the name of a toolset',
        }),
      ),
    },
    { additionalProperties: false },
  ),

  info: t.Object(info, { description: 'A stored API key: never the key itself nor its hash' }),

  created: t.Object(
    { ...info, key: t.String({ description: 'The key: shown in this response only, never again' }) },
    { description: 'The new key, shown once' },
  ),

  params: t.Object({ id: t.String({ maxLength: 64 }) }),
}

export type CreateKeyBody = typeof KeyModel.create.static
export type KeyInfo = typeof KeyModel.info.static
export type CreatedKey = typeof KeyModel.created.static
