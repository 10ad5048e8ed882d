import { t } from 'elysia'

export const OAuthModel = {
  callbackQuery: t.Object(
    {
      state: t.Optional(t.String({ maxLength: 512 })),
      code: t.Optional(t.String({ maxLength: 4096 })),
      error: t.Optional(t.String({ maxLength: 256 })),
      error_description: t.Optional(t.String({ maxLength: 2048 })),
      iss: t.Optional(t.String({ maxLength: 2048 })),
    },
    { additionalProperties: true },
  ),
  clientMetadata: t.Object({
    client_id: t.String(),
    client_name: t.String(),
    client_uri: t.String(),
    redirect_uris: t.Array(t.String()),
    grant_types: t.Array(t.String()),
    response_types: t.Array(t.String()),
    token_endpoint_auth_method: t.String(),
  }),
}
