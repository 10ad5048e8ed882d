import type { ServerStatus } from '../../shared/domain'
import type { SettingValues } from '../../shared/settings'
import type { ProbeOutcome } from '../mcp'
import type { monitoringSettings } from './config'

// The monitoring module's shared shapes, in a file of their own so its parts need not import each other.

/** The monitor's settings, as `config.ts` in this folder declares them (`slowMs` is the MCP thread's). */
export type MonitorSettings = Omit<SettingValues<typeof monitoringSettings>, 'slowMs'>

/** What a check found and what flap control made of it. */
export type CheckReport = {
  serverId: string
  outcome: ProbeOutcome
  status: ServerStatus
  reason: string | null
}

/** One finished check and what it did to its server, as the recorder writes them. */
export type CheckResult = {
  serverId: string
  /** The server's generation when the check began: the result belongs to that registration only. */
  generation: number
  checkedAt: number
  outcome: ProbeOutcome
  status: ServerStatus
  reason: string | null
}
