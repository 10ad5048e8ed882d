// How numbers and times read on the dashboard.
import type { ServerInfo } from '../../modules/servers/model'

export const ms = (v: number | null | undefined) =>
  v === null || v === undefined ? '—' : v < 10 ? `${v.toFixed(1)} ms` : `${Math.round(v)} ms`

export const percent = (v: number | null | undefined) =>
  v === null || v === undefined ? '—' : `${(v * 100).toFixed(v >= 0.9995 ? 0 : 1)} %`

export const when = (epochSeconds: number | null | undefined) =>
  epochSeconds ? new Date(epochSeconds * 1000).toLocaleString() : 'never'

/** The status in words, with its reason when there is one. */
export const statusWords = (s: Pick<ServerInfo, 'status' | 'status_reason'>) =>
  s.status_reason ? `${s.status} (${s.status_reason.replaceAll('_', ' ')})` : s.status

export const transportOf = (s: ServerInfo) =>
  s.active_transport && s.active_transport !== s.transport
    ? `${s.transport} → ${s.active_transport}`
    : s.transport
