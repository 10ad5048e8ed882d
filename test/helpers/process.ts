import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Subprocess } from 'bun'
import { adminKey } from './app'

const root = join(import.meta.dir, '..', '..')

export const tempDir = (prefix = 'automcp-') => mkdtempSync(join(tmpdir(), prefix))

/** Runs a command to completion and collects what it printed. */
export async function run(
  cmd: string[],
  { env = process.env, cwd }: { env?: Record<string, string | undefined>; cwd?: string } = {},
) {
  const proc = Bun.spawn(cmd, { env, cwd, stdout: 'pipe', stderr: 'pipe' })
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  return { stdout, stderr, code }
}

/** Runs `automcp` from source to completion: for start-up failures and --help. */
export const runCli = (args: string[], env: Record<string, string> = {}) =>
  run([process.execPath, join(root, 'src/main.ts'), ...args], { env: { ...process.env, ...env } })

export type ServerProcess = {
  proc: Subprocess<'ignore', 'pipe', 'pipe'>
  base: string
  port: number
  /** Every stdout line so far; kept drained so a chatty server never blocks on a full pipe. */
  lines: string[]
  /** What it wrote to stderr so far. */
  stderr: () => string
}

/** Starts the real server process on a free port (admin key `adminKey`) and waits for its `listening` log line. */
export function startServer(args: string[], env: Record<string, string> = {}): Promise<ServerProcess> {
  return startProcess(
    [process.execPath, join(root, 'src/main.ts'), '--port', '0', '--host', '127.0.0.1', ...args],
    {
      env: { ...process.env, AUTOMCP_API_KEY: adminKey, ...env },
    },
  )
}

/**
 * Runs a command that serves AutoMCP (the source or the compiled binary) and waits, 10 s at most, for its
 * `listening` log line, which gives the port. `env` is the whole environment.
 */
export async function startProcess(
  cmd: string[],
  { env, cwd }: { env: Record<string, string | undefined>; cwd?: string },
): Promise<ServerProcess> {
  const proc = Bun.spawn(cmd, { env, cwd, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
  const lines: string[] = []
  let stderr = ''
  void (async () => {
    for await (const chunk of proc.stderr.pipeThrough(new TextDecoderStream())) stderr += chunk
  })()
  const listening = Promise.withResolvers<number>()
  void (async () => {
    let partial = ''
    for await (const chunk of proc.stdout.pipeThrough(new TextDecoderStream())) {
      const parts = (partial + chunk).split('\n')
      partial = parts.pop() ?? ''
      for (const line of parts) {
        lines.push(line)
        if (line.includes('"msg":"listening"')) listening.resolve(JSON.parse(line).port)
      }
    }
    listening.reject(new Error(`server exited before listening: ${lines.join('\n')}`))
  })()
  const timer = setTimeout(() => listening.reject(new Error('server did not start within 10 s')), 10_000)
  try {
    const port = await listening.promise
    return { proc, port, base: `http://127.0.0.1:${port}`, lines, stderr: () => stderr }
  } catch (e) {
    proc.kill('SIGKILL')
    throw e
  } finally {
    clearTimeout(timer)
  }
}

/** A process's state letter (`Z`: ended, not yet reaped) and parent, from /proc; undefined once it is gone. */
function statOf(pid: number | string): { state: string; ppid: number } | undefined {
  try {
    // Read after the command name, which may hold spaces and parentheses: ") <state> <ppid> …".
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const [state = '', ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { state, ppid: Number(ppid) }
  } catch {
    return undefined
  }
}

/** Whether a process still runs (Linux only). */
export const running = (pid: number) => {
  const state = statOf(pid)?.state
  return state !== undefined && state !== 'Z'
}

/** Every process below `pid`: its children, theirs, and so on (Linux only). */
export function descendantsOf(pid: number): number[] {
  const parentOf = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    const ppid = /^\d+$/.test(entry) ? statOf(entry)?.ppid : undefined
    if (ppid !== undefined) parentOf.set(Number(entry), ppid)
  }
  const found: number[] = []
  for (let level = [pid]; level.length > 0; ) {
    level = [...parentOf].filter(([, ppid]) => level.includes(ppid)).map(([child]) => child)
    found.push(...level)
  }
  return found
}
