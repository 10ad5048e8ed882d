import type { ServerRow } from '../../db/schema'
import type { OAuthConfig, StdioCommand } from '../../shared/domain'
import type { SecretBox } from '../../shared/secrets'
import type { Endpoint } from './endpoint'
import { createSecretSeal } from './headers'
import { createOAuthSeal, type OAuthChange } from './oauth-seal'

/** The settings a user gives whose values are secret: sealed at rest, opened only to be used. */
type SecretSettings = {
  headers?: Record<string, string>
  env?: Record<string, string>
  oauth?: OAuthConfig | null
}

/** What `endpointOf` reads of a row: everything that says where and how the server is reached. */
export type EndpointRow = Pick<
  ServerRow,
  'url' | 'transport' | 'headers' | 'headerNames' | 'command' | 'args' | 'env' | 'envNames' | 'cwd' | 'oauth'
>

export type ServerSecrets = ReturnType<typeof createServerSecrets>

/**
 * A server's secrets, each sealed under its row and field (headers, a stdio server's env, the OAuth
 * settings, client and tokens), and what the repository opens of them for a check, a child or a call.
 */
export function createServerSecrets(box: SecretBox) {
  const { sealed, plainHeaders, plainEnv } = createSecretSeal(box)
  const oauth = createOAuthSeal(box)

  return {
    /** The settings as stored: headers, env and the OAuth settings sealed (and the grant in clear). */
    seal<T extends SecretSettings>(id: string, settings: T) {
      const { oauth: config, ...rest } = settings
      const out = sealed(id, rest)
      if (config === undefined) return out
      return { ...out, oauth: oauth.sealConfig(id, config), authGrant: config?.grant ?? null }
    },

    /** What the server is reached at, secrets opened: to tell whether a change moves it elsewhere. */
    endpointOf: (id: string, row: EndpointRow): Endpoint => ({
      ...row,
      headers: plainHeaders(id, row),
      env: plainEnv(id, row),
      oauth: oauth.materialOf({ ...row, id } as ServerRow)?.config ?? null,
    }),

    /** The headers to send to the server, in plain text: for the check, never for a response. */
    headersOf: (row: ServerRow): Record<string, string> => plainHeaders(row.id, row),

    /** A stdio server's program with its environment in plain text: for its child, never for a response. */
    stdioOf(row: ServerRow): StdioCommand | undefined {
      if (row.transport !== 'stdio' || row.command === null) return undefined
      return { command: row.command, args: row.args, env: plainEnv(row.id, row), cwd: row.cwd }
    },

    /** What a server's checks and calls need of its OAuth (settings, client, tokens) in clear. */
    oauthOf: (row: ServerRow) => oauth.materialOf(row),

    /** The columns an OAuth change writes, its tokens and client sealed. */
    oauthColumns: (id: string, change: OAuthChange) => oauth.columnsOf(id, change),
  }
}
