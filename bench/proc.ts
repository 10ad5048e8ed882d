// What a benchmark reads of processes from /proc (Linux): CPU time, memory, and the tree under a process.
import { readdirSync, readFileSync } from 'node:fs'

/** USER_HZ: the unit of the CPU times in /proc/<pid>/stat (100 on every Linux this runs on). */
const ticksPerSecond = 100

/** The fields of /proc/<pid>/stat after the command name (which is in parentheses and may hold spaces). */
function statFields(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return text.slice(text.lastIndexOf(')') + 2).split(' ')
  } catch {
    return undefined // gone
  }
}

/**
 * A process as /proc shows it: its parent, its start (clock ticks since boot), its own CPU seconds, and its
 * nice value (its main thread's: a child starts with that of the thread that started it).
 */
export function procStat(pid: number) {
  const f = statFields(pid)
  if (!f) return undefined
  // Fields 4 (ppid), 14-17 (utime, stime, cutime, cstime), 19 (nice), 22 (starttime) of proc(5), counted
  // from field 3 here.
  // utime and stime are the process's own (all its threads), never its children's (cutime, cstime).
  return {
    ppid: Number(f[1]),
    cpuS: (Number(f[11]) + Number(f[12])) / ticksPerSecond,
    /** CPU seconds of the children it has waited for (and theirs): fields 16 and 17 (cutime, cstime). */
    reapedCpuS: (Number(f[13]) + Number(f[14])) / ticksPerSecond,
    nice: Number(f[16]),
    start: Number(f[19]),
  }
}

/** Resident memory in MB: RSS from /proc/<pid>/status, PSS (shared pages divided among their users) from smaps_rollup. */
export function memoryMb(pid: number): { rss: number; pss: number } {
  const kb = (file: string, key: string) => {
    try {
      const text = readFileSync(`/proc/${pid}/${file}`, 'utf8')
      return Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0)
    } catch {
      return 0
    }
  }
  return { rss: kb('status', 'VmRSS') / 1024, pss: kb('smaps_rollup', 'Pss') / 1024 }
}

/** Every live process below `pid` (children, their children, …), by walking the ppid links in /proc. */
export function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const stat = procStat(Number(name))
    if (stat) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(name)])
  }
  const found: number[] = []
  const queue = [pid]
  while (queue.length) {
    for (const child of children.get(queue.shift() as number) ?? []) {
      found.push(child)
      queue.push(child)
    }
  }
  return found
}

/** A process seen once, to recognise it later (a pid alone may be given to another program meanwhile). */
export type Seen = { pid: number; start: number }

export const seen = (pids: number[]): Seen[] =>
  pids.flatMap((pid) => {
    const stat = procStat(pid)
    return stat ? [{ pid, start: stat.start }] : []
  })

/** Those of `processes` still running (the same pid, started at the same tick). */
export const stillRunning = (processes: Seen[]): Seen[] =>
  processes.filter(({ pid, start }) => procStat(pid)?.start === start)

/** The summed memory of `pids`, in MB. */
export const totalMb = (pids: number[]) =>
  pids.map(memoryMb).reduce((a, m) => ({ rss: a.rss + m.rss, pss: a.pss + m.pss }), { rss: 0, pss: 0 })

/**
 * CPU seconds used so far below `pid`: by the processes under it still running, and by those that it or
 * they have waited for. A child that came and went between two readings is counted too.
 */
export function cpuBelowS(pid: number): number {
  const time = (p: number) => {
    const stat = procStat(p)
    return (stat?.cpuS ?? 0) + (stat?.reapedCpuS ?? 0)
  }
  return (procStat(pid)?.reapedCpuS ?? 0) + descendantsOf(pid).reduce((n, d) => n + time(d), 0)
}

/**
 * CPU seconds of a process's threads: its main thread, the thread named `mcp` (AutoMCP's MCP thread), and
 * all the others together (JIT, garbage collection, Bun's I/O pool).
 */
export function threadCpuS(pid: number): { main: number; mcp: number; other: number } {
  const sums = { main: 0, mcp: 0, other: 0 }
  let tids: string[] = []
  try {
    tids = readdirSync(`/proc/${pid}/task`)
  } catch {
    return sums // gone
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      const cpu = (Number(f[11]) + Number(f[12])) / ticksPerSecond
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim()
      if (Number(tid) === pid) sums.main += cpu
      else if (name === 'mcp') sums.mcp += cpu
      else sums.other += cpu
    } catch {
      // the thread ended meanwhile
    }
  }
  return sums
}
