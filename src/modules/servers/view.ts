import type { ServerRow } from '../../db/schema'
import { msToSeconds, msToSecondsOrNull } from '../../shared/time'
import type { PatchBody, RegisterBody, ServerInfo } from './model'
import type { ServerSettings } from './repository'

/** The API's view of a row: epoch seconds, and header names without their values. */
export function toServerInfo(row: ServerRow, uptime24h: number | null = null): ServerInfo {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    status: row.status,
    status_reason: row.statusReason,
    last_checked: msToSecondsOrNull(row.lastCheckedAt),
    capabilities: row.capabilities,
    latency_ms: row.latencyMs,
    handshake_ms: row.handshakeMs,
    transport: row.transport,
    active_transport: row.activeTransport,
    header_names: row.headerNames,
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

/** Tags as stored: each once, in the order first given. */
const uniqueTags = (tags: string[] | undefined) => (tags === undefined ? undefined : [...new Set(tags)])

/** A registration's settings; what it leaves out returns to the defaults. */
export const settingsOf = (body: RegisterBody): ServerSettings => ({
  name: body.name,
  url: body.url,
  transport: body.transport ?? 'auto',
  headers: body.headers ?? {},
  intervalS: body.interval_s ?? null,
  timeoutMs: body.timeout_ms ?? null,
  failureThreshold: body.failure_threshold ?? null,
  successThreshold: body.success_threshold ?? null,
  tags: uniqueTags(body.tags) ?? [],
})

/** A patch's changes; what it leaves out (undefined) stays as it is. */
export const changesOf = (body: PatchBody): Partial<ServerSettings> => ({
  name: body.name,
  url: body.url,
  transport: body.transport,
  headers: body.headers,
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
