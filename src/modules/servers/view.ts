import type { ServerRow } from '../../db/schema'
import type { OAuthConfig, Transport } from '../../shared/domain'
import { msToSeconds, msToSecondsOrNull } from '../../shared/time'
import type { EndpointFields } from './endpoint-rules'
import type { AuthInfo, PatchBody, RegisterBody, ServerInfo, ServerProcess } from './model'
import type { ServerSettings } from './repository'

/** The API's view of a row: epoch seconds, and header names without their values. */
export function toServerInfo(row: ServerRow, uptime24h: number | null = null): ServerInfo {
  return {
    id: row.id,
    name: row.name,
    url: row.transport === 'stdio' ? null : row.url,
    status: row.status,
    status_reason: row.statusReason,
    last_checked: msToSecondsOrNull(row.lastCheckedAt),
    capabilities: row.capabilities,
    latency_ms: row.latencyMs,
    handshake_ms: row.handshakeMs,
    transport: row.transport,
    active_transport: row.activeTransport,
    header_names: row.headerNames,
    command: row.command,
    args: row.args,
    cwd: row.cwd,
    env_names: row.envNames,
    process: processOf(row),
    auth: authOf(row),
    interval_s: row.intervalS,
    timeout_ms: row.timeoutMs,
    failure_threshold: row.failureThreshold,
    success_threshold: row.successThreshold,
    uptime_24h: uptime24h,
    tags: row.tags,
    created_at: msToSeconds(row.createdAt),
    updated_at: msToSeconds(row.updatedAt),
  }
}

/** A stdio server's child as last reported; null for other servers. */
function processOf(row: ServerRow): ServerProcess | null {
  if (row.transport !== 'stdio') return null
  return {
    pid: row.pid,
    started_at: msToSecondsOrNull(row.processStartedAt),
    restarts: row.restarts,
    last_exit: row.lastExit && { ...row.lastExit, at: msToSeconds(row.lastExit.at) },
  }
}

/**
 * How AutoMCP authenticates to the server and where that stands. Without OAuth, a 401 or a Bearer
 * challenge in the last check (reason `auth_required`) means the headers do not do.
 */
function authOf(row: ServerRow): AuthInfo {
  if (row.authGrant === null) {
    const refused = row.statusReason === 'auth_required'
    return {
      type: row.headerNames.length > 0 ? 'headers' : 'none',
      state: refused ? 'unauthorized' : null,
      grant: null,
      scopes: [],
      expires_at: null,
      error: null,
    }
  }
  return {
    type: 'oauth',
    state: row.authState ?? 'unauthorized',
    grant: row.authGrant,
    scopes: row.authScopes,
    expires_at: msToSecondsOrNull(row.authExpiresAt),
    error: row.authError,
  }
}

/** Tags as stored: each once, in the order first given. */
const uniqueTags = (tags: string[] | undefined) => (tags === undefined ? undefined : [...new Set(tags)])

/** A registration's settings; what it leaves out returns to the defaults. */
export const settingsOf = (body: RegisterBody): ServerSettings => ({
  name: body.name,
  ...endpointOf(body.transport ?? 'auto', body),
  oauth: oauthOf(body.oauth) ?? null,
  intervalS: body.interval_s ?? null,
  timeoutMs: body.timeout_ms ?? null,
  failureThreshold: body.failure_threshold ?? null,
  successThreshold: body.success_threshold ?? null,
  tags: uniqueTags(body.tags) ?? [],
})

/** The API's `oauth` as stored (absent fields left out, so equal settings compare equal). */
function oauthOf(o: RegisterBody['oauth']): OAuthConfig | null | undefined {
  if (o === undefined || o === null) return o
  const config: OAuthConfig = { grant: o.grant ?? 'authorization_code' }
  if (o.client_id !== undefined) config.clientId = o.client_id
  if (o.client_secret !== undefined) config.clientSecret = o.client_secret
  if (o.scopes !== undefined) config.scopes = o.scopes
  if (o.private_key_pem !== undefined) config.privateKeyPem = o.private_key_pem
  if (o.signing_alg !== undefined) config.signingAlg = o.signing_alg
  return config
}

/**
 * How a server is reached, as stored: a stdio server has no url or headers ('' and none), any other has no
 * program. `body` has passed `endpointProblem`.
 */
function endpointOf(transport: Transport, body: EndpointFields) {
  if (transport === 'stdio')
    return {
      transport,
      url: '',
      headers: {},
      command: body.command ?? null,
      args: body.args ?? [],
      env: body.env ?? {},
      cwd: body.cwd ?? null,
    }
  return {
    transport,
    url: body.url ?? '',
    headers: body.headers ?? {},
    command: null,
    args: [],
    env: {},
    cwd: null,
  }
}

/**
 * A patch's changes; what it leaves out (undefined) stays as it is. A patch that moves the server to or
 * from stdio also clears what the other kind had.
 */
export const changesOf = (body: PatchBody, was: Transport): Partial<ServerSettings> => ({
  name: body.name,
  oauth: oauthOf(body.oauth),
  ...(body.transport !== undefined && (body.transport === 'stdio') !== (was === 'stdio')
    ? endpointOf(body.transport, body)
    : {
        url: body.url ?? undefined,
        transport: body.transport,
        headers: body.headers,
        command: body.command ?? undefined,
        args: body.args,
        env: body.env,
        cwd: body.cwd,
      }),
  intervalS: body.interval_s,
  timeoutMs: body.timeout_ms,
  failureThreshold: body.failure_threshold,
  successThreshold: body.success_threshold,
  tags: uniqueTags(body.tags),
})

/** A readable id for servers registered without one: `my-server-1a2b3c4d`. */
export function generateId(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 48)
  const suffix = crypto.getRandomValues(new Uint32Array(1))[0]?.toString(16).padStart(8, '0')
  return `${slug || 'server'}-${suffix}`
}
