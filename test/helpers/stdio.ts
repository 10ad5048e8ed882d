import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dir, '..', '..')

/** The real server-memory, run by Node as a stdio server, keeping its graph in `file`. */
export const memoryServer = (file: string) => ({
  transport: 'stdio' as const,
  command: 'node',
  args: [join(root, 'node_modules', '@modelcontextprotocol', 'server-memory', 'dist', 'index.js')],
  env: { MEMORY_FILE_PATH: file },
})

/**
 * The same server started the way its README says, through `npx` (the local install, no download): npx
 * runs it as a grandchild of AutoMCP, which is what ending a process group must reach.
 */
export const memoryServerByNpx = (file: string) => ({
  transport: 'stdio' as const,
  command: 'npx',
  args: ['--no-install', 'mcp-server-memory'],
  cwd: root,
  env: { MEMORY_FILE_PATH: file },
})

type Stat = { pid: number; ppid: number; pgrp: number; state: string }

function stat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ')
    return { pid, state: f[0] ?? '?', ppid: Number(f[1]), pgrp: Number(f[2]) }
  } catch {
    return undefined
  }
}

/** Whether `pid` is a running process (a zombie has ended: it only waits to be reaped). */
export const running = (pid: number) => {
  const s = stat(pid)
  return s !== undefined && s.state !== 'Z' && s.state !== 'X'
}

/** The running processes of process group `pgid`: a child and whatever it started. */
export function groupMembers(pgid: number): number[] {
  const pids = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
  return pids.filter((pid) => stat(pid)?.pgrp === pgid && running(pid))
}

/** The running descendants of `pid` (children, grandchildren…), by parent links. */
export function descendants(pid: number): number[] {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => stat(Number(name)))
    .filter((s): s is Stat => s !== undefined && s.state !== 'Z')
  const out: number[] = []
  const walk = (parent: number) => {
    for (const s of all)
      if (s.ppid === parent) {
        out.push(s.pid)
        walk(s.pid)
      }
  }
  walk(pid)
  return out
}
