import { copyFileSync, mkdtempSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pkg from '../../package.json'
import { adminKey } from './app'
import { run, type ServerProcess, startProcess } from './process'

const root = join(import.meta.dir, '..', '..')

/**
 * The arguments of `npm run build` after `bun`, with `--outfile` pointed at `outfile`: the smoke tests
 * compile exactly what the build script (and so the Dockerfile) compiles, leaving dist/automcp alone.
 */
export function buildArgs(outfile: string): string[] {
  const [bun, ...args] = pkg.scripts.build.split(/\s+/)
  const at = args.indexOf('--outfile')
  if (bun !== 'bun' || args[0] !== 'build' || !args.includes('--compile') || at < 0)
    throw new Error(
      `the build script is not "bun build … --compile … --outfile <file>": ${pkg.scripts.build}`,
    )
  args[at + 1] = outfile
  return args
}

let built: Promise<string> | undefined

/**
 * Compiles the binary into dist/test/, once per test run (every test file shares the build), and returns
 * its path. Building takes a few seconds, and a stale build can never be tested by mistake. It lands under
 * a name of its own and is renamed into place, so a concurrent run never copies half a file.
 */
export function buildBinary(): Promise<string> {
  built ??= (async () => {
    const outfile = join(root, 'dist', 'test', 'automcp')
    const partial = `${outfile}-${process.pid}`
    const {
      stdout: out,
      stderr: err,
      code,
    } = await run([process.execPath, ...buildArgs(partial)], { cwd: root })
    if (code !== 0) throw new Error(`bun build failed (exit ${code}):\n${out}${err}`)
    renameSync(partial, outfile)
    return outfile
  })()
  return built
}

export type Binary = {
  /** A temporary directory holding nothing but the binary; its working directory. */
  dir: string
  bin: string
  /** Runs it to completion, as `automcp …args`, from `dir`, with `env` added to its environment. */
  run(args: string[], env?: Record<string, string>): Promise<{ stdout: string; stderr: string; code: number }>
  /** Serves on a free port (admin key `adminKey`) with a database in `dir`, once `listening` is logged. */
  start(args?: string[], env?: Record<string, string>): Promise<ServerProcess>
  /** Kills what `start` started and removes `dir`. */
  cleanup(): void
}

/**
 * A copy of the compiled binary alone in a fresh temporary directory, run from there with an environment
 * of its own (no node_modules, no source tree, nothing of the test runner's environment but PATH).
 */
export async function binaryAlone(): Promise<Binary> {
  const dir = mkdtempSync(join(tmpdir(), 'automcp-bin-'))
  const bin = join(dir, 'automcp')
  copyFileSync(await buildBinary(), bin)
  const env = (extra: Record<string, string> = {}) => ({ PATH: process.env.PATH, HOME: dir, ...extra })
  const started: ServerProcess[] = []
  return {
    dir,
    bin,
    async run(args, extra = {}) {
      const proc = Bun.spawn([bin, ...args], { cwd: dir, env: env(extra), stdout: 'pipe', stderr: 'pipe' })
      const [stdout, stderr, code] = await Promise.all([
        new Response(proc.stdout).text(),
        new Response(proc.stderr).text(),
        proc.exited,
      ])
      return { stdout, stderr, code }
    },
    async start(args = [], extra = {}) {
      const server = await startProcess(
        [bin, '--port', '0', '--host', '127.0.0.1', '--db', join(dir, 'x.db'), ...args],
        { cwd: dir, env: env({ AUTOMCP_API_KEY: adminKey, ...extra }) },
      )
      started.push(server)
      return server
    },
    cleanup() {
      for (const s of started) s.proc.kill('SIGKILL')
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
