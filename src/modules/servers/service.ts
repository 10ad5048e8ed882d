import type { ServerRow } from '../../db/schema'
import { literalRefusal, type Refusal } from '../../shared/ssrf'
import { msToSeconds } from '../../shared/time'
import { commandAllowed, type LogLine, type ProcessEvent, type StdioSettings } from '../mcp'
import { type EndpointFields, endpointProblem } from './endpoint-rules'
import {
  commandNotAllowed,
  endpointInvalid,
  notStdio,
  serverLimitReached,
  serverNotFound,
  stdioDisabled,
  urlBlocked,
} from './errors'
import { type CachedList, createListCache, createUptimeCache } from './list-cache'
import type { ListQuery, PatchBody, RegisterBody, ServerInfo, ServerLogs } from './model'
import type { ServerRepository } from './repository'
import { changesOf, generateId, settingsOf, toServerInfo } from './view'

export type RegistryChange =
  | { type: 'registered'; server: ServerInfo }
  /** `moved`: the server now has another endpoint (url, transport, headers or program). */
  | { type: 'updated'; server: ServerInfo; moved: boolean }
  | { type: 'removed'; server: ServerInfo }

export type ServerService = ReturnType<typeof createServerService>

/** The registry: registering, changing and removing servers, and the cached list (list-cache.ts). */
export function createServerService({
  repo,
  uptime = () => new Map(),
  onChange = () => {},
  now = Date.now,
  refusal = () => null,
  maxServers = Number.POSITIVE_INFINITY,
  stdio = { enabled: false, commands: [] },
  logs = async () => [],
  beforeRemove = () => {},
}: {
  /** A server is about to be deleted: its stored row, secrets and all (to revoke its OAuth tokens). */
  beforeRemove?: (row: ServerRow) => void
  /** Whether stdio servers may be registered, and with which commands. */
  stdio?: Pick<StdioSettings, 'enabled' | 'commands'>
  /** A stdio server's last stderr lines (from the MCP thread). */
  logs?: (id: string, limit: number) => Promise<LogLine[]>
  repo: ServerRepository
  /** Registering one more than this is refused (409). */
  maxServers?: number
  /** The SSRF guard's rules: a URL whose host is a blocked address is refused at once (422). */
  refusal?: Refusal
  /** Uptime ratio over the last 24 h per server id. */
  uptime?: () => Map<string, number>
  onChange?: (change: RegistryChange) => void
  now?: () => number
}) {
  const uptimes = createUptimeCache(uptime, now)
  const lists = createListCache({ repo, uptimes })

  const find = (id: string) => {
    const row = repo.get(id)
    if (!row) throw serverNotFound()
    return row
  }
  const info = (row: ServerRow) => toServerInfo(row, uptimes.current().map.get(row.id) ?? null)
  const checkUrl = (url: string | null | undefined) => {
    const why = url ? literalRefusal(url, refusal) : null
    if (why) throw urlBlocked(why)
  }
  /** A url, a command and a transport that fit together, and a command this instance may run. */
  const checkEndpoint = (fields: EndpointFields, current?: ServerRow) => {
    const problem = endpointProblem(fields, current)
    if (problem) throw endpointInvalid(problem)
    // A stdio server may still be renamed or retimed while stdio is off; its program may not change.
    const setsProgram =
      current === undefined ||
      fields.transport !== undefined ||
      [fields.command, fields.args, fields.env, fields.cwd].some((v) => v !== undefined)
    if ((fields.transport ?? current?.transport) !== 'stdio' || !setsProgram) return
    if (!stdio.enabled) throw stdioDisabled()
    const command = fields.command ?? current?.command
    if (command && !commandAllowed(command, stdio.commands)) throw commandNotAllowed(command)
  }

  return {
    /**
     * The JSON array of servers matching the filter, as UTF-8, with an ETag for conditional requests.
     * `exact` skips the coalescing: an events snapshot must hold every change published before it.
     */
    listJson: (query: ListQuery = {}, exact = false): CachedList => lists.listJson(query, exact),

    /** The whole list as text, exactly as of now: the events snapshot. */
    listText: (): string => lists.listText(),

    get: (id: string): ServerInfo => info(find(id)),

    /** A change the caller just made (a check it asked for) must show in the next list. */
    invalidate: () => lists.invalidate(),

    /** The stored row, settings and secrets included: for the monitor, never for a response. */
    row: find,

    register(body: RegisterBody): { id: string; created: boolean } {
      checkEndpoint(body)
      checkUrl(body.url)
      const id = body.id ?? generateId(body.name)
      if (repo.isFullFor(id, maxServers)) throw serverLimitReached(maxServers)
      const before = repo.get(id)?.generation
      const { created } = repo.upsert(id, settingsOf(body), now())
      lists.invalidate()
      const row = find(id)
      if (created) onChange({ type: 'registered', server: info(row) })
      else onChange({ type: 'updated', server: info(row), moved: row.generation !== before })
      return { id, created }
    },

    patch(id: string, body: PatchBody): ServerInfo {
      const current = find(id)
      checkEndpoint(body, current)
      checkUrl(body.url)
      const row = repo.patch(id, changesOf(body, current.transport), now())
      if (!row) throw serverNotFound()
      lists.invalidate()
      const server = info(row)
      onChange({ type: 'updated', server, moved: row.generation !== current.generation })
      return server
    },

    /** The last `limit` lines a stdio server's children wrote to stderr, oldest first. */
    async logs(id: string, limit: number): Promise<ServerLogs> {
      if (find(id).transport !== 'stdio') throw notStdio()
      return (await logs(id, limit)).map((line) => ({ time: msToSeconds(line.time), text: line.text }))
    },

    /**
     * A stdio server's child started or ended, as the MCP thread reported: stored and returned for an
     * event, or undefined when the server has changed or gone since.
     */
    processChanged(event: ProcessEvent): ServerInfo | undefined {
      const state =
        event.type === 'started'
          ? { pid: event.pid, processStartedAt: event.startedAt, restarts: event.restarts }
          : { pid: null, processStartedAt: null, restarts: event.restarts, lastExit: event.exit }
      if (!repo.saveProcess(event.serverId, event.generation, state)) return undefined
      lists.invalidate()
      return info(find(event.serverId))
    },

    remove(id: string): void {
      const row = find(id)
      const server = info(row)
      beforeRemove(row)
      if (!repo.remove(id)) throw serverNotFound()
      lists.invalidate()
      onChange({ type: 'removed', server })
    },
  }
}
