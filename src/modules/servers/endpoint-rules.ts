import type { Transport } from '../../shared/domain'

/** What a registration or a patch says about how to reach the server; absent: unchanged or not given. */
export type EndpointFields = {
  transport?: Transport
  url?: string | null
  headers?: Record<string, string>
  command?: string | null
  args?: string[]
  env?: Record<string, string>
  cwd?: string | null
  oauth?: { grant?: string; client_id?: string; client_secret?: string; private_key_pem?: string } | null
}

/** What the server has now (nothing for a new one). `url` is '' for a stdio server. */
export type CurrentEndpoint = { transport: Transport; url: string; command: string | null }

const stdioOnly = ['command', 'args', 'env', 'cwd'] as const
// GET /servers shows these for every server, so a body read from it and sent back may carry them empty.
const given = (value: unknown) =>
  value !== undefined &&
  value !== null &&
  !(Array.isArray(value) && value.length === 0) &&
  !(typeof value === 'object' && !Array.isArray(value) && Object.keys(value as object).length === 0)

/**
 * Why `fields` do not describe a server that can be reached, or null: a stdio server needs a `command` and
 * takes no `url` or `headers`; any other needs a `url` and takes none of the stdio fields.
 */
export function endpointProblem(fields: EndpointFields, current?: CurrentEndpoint): string | null {
  const transport = fields.transport ?? current?.transport ?? 'auto'
  if (transport === 'stdio') {
    if (given(fields.url)) return 'body field "url" is not used by stdio servers: give `command` (and `args`)'
    if (given(fields.headers)) return 'body field "headers" is not used by stdio servers: give `env`'
    if (!given(fields.command) && !current?.command)
      return 'body field "command" is required for a stdio server'
    if (given(fields.oauth)) return 'body field "oauth" is only for servers reached over the network'
    return null
  }
  const oauth = fields.oauth
  if (oauth) {
    const header = Object.keys(fields.headers ?? {}).find((h) => h.toLowerCase() === 'authorization')
    if (header)
      return `body fields "oauth" and "headers.${header}" both set the Authorization header: give one`
    if (
      oauth.grant === 'client_credentials' &&
      !(oauth.client_id && (oauth.client_secret || oauth.private_key_pem))
    )
      return 'body field "oauth": client_credentials needs client_id, and client_secret or private_key_pem'
    if (oauth.private_key_pem && !oauth.client_id)
      return 'body field "oauth": private_key_pem needs client_id'
  }
  for (const field of stdioOnly)
    if (given(fields[field]))
      return `body field "${field}" is only for stdio servers (\`transport: "stdio"\`)`
  if (!given(fields.url) && !current?.url) return 'body field "url" is required'
  return null
}
