import { statSync } from 'node:fs'
import { getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js'
import type { FileSink, Subprocess } from 'bun'
import type { ProcessExit, StdioCommand } from '../../../shared/domain'
import { StdioError } from './errors'
import type { LogRing } from './log-ring'
import { endGroup } from './process-group'

/** A stdio server's running program: its own process group, its stdin, and how it ended. */
export type Child = {
  pid: number
  startedAt: number
  stdin: FileSink
  /** Resolves when the child (the group's leader) has exited. */
  exited: Promise<ProcessExit>
  /** Whether AutoMCP asked it to stop (then its exit is no crash). */
  readonly stopping: boolean
  /** SIGTERM to the whole group, SIGKILL after 5 s: grandchildren (`npx` → node) go too. */
  stop(): Promise<void>
}

/**
 * Starts `cmd` in a new session and process group (setsid), with the SDK's safe default environment (PATH,
 * HOME, …: never AutoMCP's own secrets) plus the server's `env`. stdout goes to `onStdout`, stderr to `log`.
 * Throws a StdioError `spawn_failed` when the program cannot be started (not found, not executable, no cwd).
 */
export function spawnChild(
  cmd: StdioCommand,
  onStdout: (chunk: Uint8Array) => void,
  log: LogRing,
  now: () => number = Date.now,
): Child {
  const program = resolve(cmd)
  let proc: Subprocess<'pipe', 'pipe', 'pipe'>
  try {
    proc = Bun.spawn([program, ...cmd.args], {
      cwd: cmd.cwd ?? undefined,
      env: { ...getDefaultEnvironment(), ...cmd.env },
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
      detached: true,
    })
  } catch (e) {
    throw new StdioError('spawn_failed', spawnProblem(cmd, e))
  }
  const startedAt = now()
  const pgid = proc.pid
  let stopping = false
  let ended = false
  void pump(proc.stdout.getReader(), onStdout)
  const stderr = proc.stderr.getReader()
  const stderrDone = pump(stderr, (bytes, decoder) =>
    log.write(decoder.decode(bytes, { stream: true }), now()),
  )
  const exited = proc.exited.then(async (code) => {
    ended = true
    // Whatever the leader left behind in its group (a grandchild that ignored the leader's end) goes too.
    void endGroup(pgid)
    // A grandchild that left the group (setsid: a daemon) may hold stderr open for ever: the exit is not
    // kept waiting for it past a second.
    await Promise.race([stderrDone, Bun.sleep(stderrGraceMs)])
    void stderr.cancel().catch(() => {})
    log.end(now())
    const signal = proc.signalCode === null ? null : String(proc.signalCode)
    return { code: signal ? null : code, signal, at: now() }
  })
  return {
    pid: proc.pid,
    startedAt,
    stdin: proc.stdin,
    exited,
    get stopping() {
      return stopping
    },
    async stop() {
      stopping = true
      // Once the leader has exited its pid may be given to another program: nothing more is sent to it.
      if (!ended) await endGroup(pgid)
      await exited
    },
  }
}

// How long an exited child's stderr may stay open (held by a grandchild) before it is no longer read.
const stderrGraceMs = 1_000

/** Reads a child's stream to its end; a stream that breaks (or is cancelled) just ends. */
async function pump(
  reader: { read(): Promise<{ done: boolean; value?: Uint8Array }> },
  use: (bytes: Uint8Array, decoder: TextDecoder) => void,
): Promise<void> {
  const decoder = new TextDecoder()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done || !value) return
      use(value, decoder)
    }
  } catch {
    // The child went away mid-read: its exit says why.
  }
}

/**
 * The program to run, found in AutoMCP's own PATH: a `PATH` in the server's `env` reaches the program and
 * what it starts, but does not choose which program AUTOMCP_STDIO_COMMANDS let through. A path is run as it is.
 */
function resolve(cmd: StdioCommand): string {
  if (cmd.command.includes('/')) return cmd.command
  const found = Bun.which(cmd.command, { PATH: process.env.PATH ?? '' })
  if (!found) throw new StdioError('spawn_failed', `command "${cmd.command}" not found in PATH`)
  return found
}

/** What went wrong starting `cmd`, in words a user can act on. */
function spawnProblem(cmd: StdioCommand, e: unknown): string {
  const code = (e as { code?: string }).code
  if (code === 'ENOENT' && cmd.cwd !== null && !dirExists(cmd.cwd))
    return `working directory "${cmd.cwd}" does not exist`
  if (code === 'ENOENT') return `command "${cmd.command}" not found in PATH`
  if (code === 'EACCES') return `command "${cmd.command}" is not executable (permission denied)`
  return `could not start "${cmd.command}": ${e instanceof Error ? e.message : String(e)}`
}

function dirExists(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}
