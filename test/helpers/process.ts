import { mkdtempSync } from 'node:fs'
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
