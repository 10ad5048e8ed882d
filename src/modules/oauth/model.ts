import { t } from 'elysia'

export const OAuthModel = {
  callbackQuery: t.Object(
    {
      state: t.Optional(t.String({ maxLength: 512, error: 'must be at most 512 characters' })),
      code: t.Optional(t.String({ maxLength: 4096, error: 'must be at most 4096 characters' })),
      error: t.Optional(t.String({ maxLength: 256, error: 'must be at most 256 characters' })),
      error_description: t.Optional(t.String({ maxLength: 2048, error: 'must be at most 2048 characters' })),
      iss: t.Optional(t.String({ maxLength: 2048, error: 'must be at most 2048 characters' })),
    },
    { additionalProperties: true },
  ),
  /** The callback's answer: a page for the person in the browser. */
  page: t.Union([
    t.String({ description: 'To a browser (Accept: text/html): a small HTML page, connected or why not' }),
    t.Object({ status: t.String(), detail: t.String() }),
  ]),

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
