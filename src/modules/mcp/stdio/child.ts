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
  let proc: Subprocess<'pipe', 'pipe', 'pipe'>
  try {
    proc = Bun.spawn([cmd.command, ...cmd.args], {
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
  void pump(proc.stdout, onStdout)
  const stderrDone = pump(proc.stderr, (bytes, decoder) =>
    log.write(decoder.decode(bytes, { stream: true }), now()),
  )
  const exited = proc.exited.then(async (code) => {
    // Whatever the leader left behind in its group (a grandchild that ignored the leader's end) goes too.
    void endGroup(pgid)
    await stderrDone
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
      await endGroup(pgid)
      await exited
    },
  }
}

/** Reads a child's stream to its end; a stream that breaks just ends. */
async function pump(
  stream: ReadableStream<Uint8Array>,
  use: (bytes: Uint8Array, decoder: TextDecoder) => void,
): Promise<void> {
  const decoder = new TextDecoder()
  try {
    for await (const bytes of stream) use(bytes, decoder)
  } catch {
    // The child went away mid-read: its exit says why.
  }
}

/** What went wrong starting `cmd`, in words a user can act on. */
function spawnProblem(cmd: StdioCommand, e: unknown): string {
  const code = (e as { code?: string }).code
  if (code === 'ENOENT' && cmd.cwd !== null && !dirExists(cmd.cwd))
    return `working directory "${cmd.cwd}" does not exist`
  if (code === 'ENOENT')
    return `command "${cmd.command}" not found (PATH: ${cmd.env.PATH ?? process.env.PATH ?? ''})`
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
