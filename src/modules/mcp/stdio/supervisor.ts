import type { ProcessExit } from '../../../shared/domain'
import type { StdioTarget } from '../transports'
import { type Child, spawnChild } from './child'
import { commandAllowed } from './commands'
import { StdioError } from './errors'
import { createLogRing, type LogLine, type LogRing } from './log-ring'
import { afterExit, type ExitHistory, noExits, type RestartPolicy } from './restart-policy'
import { ChildTransport } from './transport'

/** What may run: whether stdio servers are on at all, which commands, and how many children at once. */
export type StdioSettings = {
  enabled: boolean
  commands: readonly string[]
  maxChildren: number
  /** The backoff and crash-loop rule (restart-policy.ts's by default; tests shorten it). */
  restartPolicy?: RestartPolicy
}

/** A child started or ended: what the API thread stores and shows as the server's `process`. */
export type ProcessEvent =
  | {
      type: 'started'
      serverId: string
      generation: number
      pid: number
      startedAt: number
      restarts: number
    }
  | {
      type: 'exited'
      serverId: string
      generation: number
      pid: number
      exit: ProcessExit
      restarts: number
      /** Null when AutoMCP stopped it; else why and when it starts again. */
      crash: { reason: 'process_exited' | 'crash_loop'; restartInMs: number } | null
    }

/** One server's child and what is remembered of its past ones (for the current command line). */
type Entry = {
  key: string
  target: StdioTarget
  log: LogRing
  child?: Child
  spawns: number
  history: ExitHistory
  /** Not before this (epoch ms) is the child started again; what to say until then. */
  notBefore: number
  down?: StdioError
  timer?: Timer
}

export type StdioSupervisor = ReturnType<typeof createStdioSupervisor>

/**
 * Starts and restarts the children of stdio servers. A session (../session.ts) asks for a child with
 * `spawn`; when a child exits on its own, it is started again after a backoff (restart-policy.ts) through
 * `restart`, which opens the server's session anew. `forget` and `stopAll` end children for good.
 */
export function createStdioSupervisor({
  settings,
  restart,
  onEvent = () => {},
  now = Date.now,
}: {
  settings: StdioSettings
  /** Opens the server's session again (which spawns its child): the backoff is over. */
  restart: (target: StdioTarget) => Promise<unknown>
  onEvent?: (event: ProcessEvent) => void
  now?: () => number
}) {
  const entries = new Map<string, Entry>()
  let running = 0
  // Set by stopAll: no child starts after it.
  let stopped = false
  /** A child's words with the values of its server's `env` blanked: its stderr reaches read keys. */
  const redact = (entry: Entry, text: string) =>
    Object.values(entry.target.stdio.env)
      .filter((v) => v.length >= 4)
      .reduce((t, v) => t.replaceAll(v, '***'), text)

  function entryOf(target: StdioTarget): Entry {
    const key = JSON.stringify([target.generation, target.stdio])
    const old = entries.get(target.id)
    if (old?.key === key) {
      old.target = target
      return old
    }
    if (old) clearTimeout(old.timer)
    // A new command line starts with a clean slate, but the old child's last words stay readable.
    const entry: Entry = {
      key,
      target,
      log: old?.log ?? createLogRing(),
      spawns: 0,
      history: noExits,
      notBefore: 0,
    }
    entries.set(target.id, entry)
    return entry
  }

  function allowed(target: StdioTarget) {
    if (!settings.enabled)
      throw new StdioError('stdio_disabled', 'stdio servers are turned off (AUTOMCP_STDIO)')
    if (!commandAllowed(target.stdio.command, settings.commands))
      throw new StdioError(
        'spawn_failed',
        `command "${target.stdio.command}" is not in AUTOMCP_STDIO_COMMANDS`,
      )
    if (running >= settings.maxChildren)
      throw new StdioError(
        'stdio_limit',
        `${settings.maxChildren} stdio servers are running already (AUTOMCP_MAX_STDIO)`,
      )
  }

  /** The child ended (or never started): remember it, and start it again after the backoff. */
  function crashed(
    entry: Entry,
    startedAt: number | null,
    error: StdioError | ((loop: boolean) => StdioError),
  ) {
    const at = now()
    const next = afterExit(entry.history, startedAt, at, settings.restartPolicy)
    entry.history = next.history
    entry.notBefore = at + next.delayMs
    const down = typeof error === 'function' ? error(next.crashLoop) : error
    entry.down = new StdioError(
      down.reason,
      `${down.message}; starting again in ${Math.ceil(next.delayMs / 1000)} s`,
    )
    clearTimeout(entry.timer)
    entry.timer = setTimeout(() => {
      entry.timer = undefined
      if (entries.get(entry.target.id) === entry) void restart(entry.target).catch(() => {})
    }, next.delayMs)
    return next
  }

  function watch(entry: Entry, child: Child) {
    void child.exited.then((exit) => {
      running--
      if (entry.child === child) entry.child = undefined
      const restarts = Math.max(0, entry.spawns - 1)
      const base = { type: 'exited' as const, serverId: entry.target.id, generation: entry.target.generation }
      if (child.stopping || entries.get(entry.target.id) !== entry) {
        onEvent({ ...base, pid: child.pid, exit, restarts, crash: null })
        return
      }
      const how = exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`
      const said = entry.log.last() && redact(entry, entry.log.last() as string)
      const next = crashed(
        entry,
        child.startedAt,
        (loop) =>
          new StdioError(
            loop ? 'crash_loop' : 'process_exited',
            `${loop ? 'crash loop: ' : ''}the process ${how}${said ? `: ${said}` : ''}`,
          ),
      )
      const reason = next.crashLoop ? 'crash_loop' : 'process_exited'
      onEvent({ ...base, pid: child.pid, exit, restarts, crash: { reason, restartInMs: next.delayMs } })
    })
  }

  return {
    /**
     * A new child for the server's session, talked to through the returned transport. Throws a StdioError
     * while the server waits out its backoff, or when it may not or cannot start.
     */
    async spawn(target: StdioTarget): Promise<ChildTransport> {
      if (stopped) throw new StdioError('stdio_disabled', 'AutoMCP is stopping')
      const entry = entryOf(target)
      // A child whose session went away without ending it (a failed handshake) is not left running.
      if (entry.child) await entry.child.stop()
      // Forgotten (removed, or AutoMCP stopping) meanwhile: a child started now would be nobody's to end.
      if (stopped || entries.get(target.id) !== entry)
        throw new StdioError('stdio_disabled', 'the server was removed')
      if (now() < entry.notBefore && entry.down) throw entry.down
      allowed(target)
      let transport: ChildTransport | undefined
      let child: Child
      try {
        child = spawnChild(target.stdio, (chunk) => transport?.receive(chunk), entry.log, now)
      } catch (e) {
        const error = e instanceof StdioError ? e : new StdioError('spawn_failed', String(e))
        crashed(entry, null, error)
        throw error
      }
      running++
      entry.child = child
      entry.spawns++
      entry.down = undefined
      // Watched before the transport is made, so that when the child's exit fails a handshake, why it
      // exited is known by the time the failure reaches the session (`downOf`).
      watch(entry, child)
      transport = new ChildTransport(child)
      onEvent({
        type: 'started',
        serverId: target.id,
        generation: target.generation,
        pid: child.pid,
        startedAt: child.startedAt,
        restarts: entry.spawns - 1,
      })
      return transport
    },

    /** Why the server's child is not running, when it ended on its own or could not start. */
    downOf: (serverId: string): StdioError | undefined => entries.get(serverId)?.down,

    /** The last `limit` lines the server's children wrote to stderr (empty when it never ran). */
    logs(serverId: string, limit: number): LogLine[] {
      const entry = entries.get(serverId)
      return entry ? entry.log.tail(limit).map((l) => ({ ...l, text: redact(entry, l.text) })) : []
    },

    /** The server is gone: its child ends and is not started again. */
    async forget(serverId: string) {
      const entry = entries.get(serverId)
      if (!entry) return
      entries.delete(serverId)
      clearTimeout(entry.timer)
      await entry.child?.stop()
    },

    /** Ends every child (at shutdown). */
    async stopAll() {
      stopped = true
      const all = [...entries.values()]
      entries.clear()
      for (const entry of all) clearTimeout(entry.timer)
      await Promise.all(all.map((entry) => entry.child?.stop()))
    },

    get running() {
      return running
    },
  }
}
