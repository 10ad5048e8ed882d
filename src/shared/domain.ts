// The words the database, the API schemas and the code share. Each list is written once, here: the
// Drizzle enums (src/db/schema.ts), the `t` schemas and the TypeScript types are all derived from it.

/** A server's status as the API reports it: `unknown` until its first check. */
export const serverStatuses = ['healthy', 'degraded', 'unhealthy', 'unknown'] as const
export type ServerStatus = (typeof serverStatuses)[number]

/** What one check finds (a status minus `unknown`): the `checks` table and `/history` rows. */
export const checkStatuses = ['healthy', 'degraded', 'unhealthy'] as const
export type CheckStatus = (typeof checkStatuses)[number]

/** The transports a check actually speaks: what `active_transport` reports. */
export const concreteTransports = ['streamable-http', 'sse', 'http', 'stdio'] as const
export type ConcreteTransport = (typeof concreteTransports)[number]

/** The transports a server may be registered with; `auto` tries the network ones (not stdio) in this order. */
export const transports = ['auto', ...concreteTransports] as const
export type Transport = (typeof transports)[number]

/** How a stdio server's child last ended: its exit code, or the signal that ended it. */
export type ProcessExit = { code: number | null; signal: string | null; at: number }

/** Who made a tool call (the `tool_calls` table). */
export const toolCallSources = ['chat', 'v1', 'direct', 'gateway'] as const
export type ToolCallSource = (typeof toolCallSources)[number]

/** A stdio server's program, as its child is started: `env` in plain text (it is sealed at rest). */
export type StdioCommand = {
  command: string
  args: string[]
  env: Record<string, string>
  cwd: string | null
}

/** How AutoMCP gets OAuth tokens for a server: a user's consent in a browser, or its own client credentials. */
export const oauthGrants = ['authorization_code', 'client_credentials'] as const
export type OAuthGrant = (typeof oauthGrants)[number]

/** What the user gave for a server's OAuth (sealed at rest; the secret and the key are write-only). */
export type OAuthConfig = {
  grant: OAuthGrant
  clientId?: string
  clientSecret?: string
  scopes?: string[]
  privateKeyPem?: string
  signingAlg?: string
}

/** Where a server's OAuth stands, as the API shows it (`auth.state`). */
export const authStates = ['unauthorized', 'authorized', 'expired', 'error'] as const
export type AuthState = (typeof authStates)[number]

/** What a server's last 401 (or 403 insufficient_scope) asked for, from its `WWW-Authenticate`. */
export type OAuthChallenge = { status: number; scope?: string; resourceMetadataUrl?: string; error?: string }
