import { t } from 'elysia'
import { authStates, oauthGrants } from '../../shared/domain'
import { oneOf } from '../../shared/model'

// The `t` schemas of a server's OAuth settings and where its authorization stands (see ./model.ts).

// OAuth 2.1 per the MCP authorization spec; the secret and the key are write-only.
export const oauth = t.Object(
  {
    grant: t.Optional(
      oneOf(oauthGrants, {
        description:
          '`authorization_code` (default): a user consents in a browser (POST /servers/{id}/authorize); `client_credentials`: machine to machine, with `client_id` and `client_secret` or `private_key_pem`',
      }),
    ),
    client_id: t.Optional(
      t.String({
        minLength: 1,
        maxLength: 2048,
        description:
          'A client registered beforehand; without it AutoMCP uses its metadata document or registers itself',
        error: 'must be a string of 1-2048 characters',
      }),
    ),
    client_secret: t.Optional(
      t.String({
        minLength: 1,
        maxLength: 4096,
        description: 'Write-only',
        error: 'must be a string of 1-4096 characters',
      }),
    ),
    scopes: t.Optional(
      t.Array(t.String({ pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]{1,256}$' }), {
        maxItems: 64,
        description: "Scopes to ask for instead of those the server's challenge or metadata suggests",
        error: 'must be an array of at most 64 OAuth scope tokens',
      }),
    ),
    private_key_pem: t.Optional(
      t.String({
        minLength: 1,
        maxLength: 16_384,
        pattern: '^-----BEGIN PRIVATE KEY-----',
        description: 'client_credentials with private_key_jwt: a PKCS #8 PEM key. Write-only',
        error: 'must be a PKCS #8 PEM private key (-----BEGIN PRIVATE KEY-----)',
      }),
    ),
    signing_alg: t.Optional(
      t.String({
        pattern: '^(RS|ES|PS)(256|384|512)$',
        description: 'The JWT signing algorithm for private_key_jwt (default ES256)',
        error: 'must be one of RS256…RS512, ES256…ES512, PS256…PS512',
      }),
    ),
  },
  {
    additionalProperties: false,
    description:
      'OAuth 2.1 to the server (MCP authorization): tokens are discovered, obtained, refreshed and sealed by AutoMCP',
    error: 'must be an object with grant, client_id, client_secret, scopes, private_key_pem or signing_alg',
  },
)
export const authInfo = t.Object({
  type: oneOf(['none', 'headers', 'oauth'] as const, {
    description: 'How AutoMCP authenticates to the server',
  }),
  state: t.Nullable(
    oneOf(authStates, {
      description:
        '`unauthorized` until a user authorizes (or the server refused the credentials), `authorized`, `expired` (a refresh was refused: authorize again), `error`; null when nothing is known',
    }),
  ),
  grant: t.Nullable(
    oneOf(oauthGrants, { description: 'How the OAuth tokens are obtained; null without OAuth' }),
  ),
  scopes: t.Array(t.String(), { description: 'OAuth scopes granted' }),
  expires_at: t.Nullable(
    t.Number({ description: 'Epoch seconds the access token runs out (it is refreshed before)' }),
  ),
  error: t.Nullable(t.String()),
})
export type AuthInfo = typeof authInfo.static
