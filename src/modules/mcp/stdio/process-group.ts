import { readFileSync } from 'node:fs'

/** How long a child's process group has to end after SIGTERM before it gets SIGKILL. */
export const stopGraceMs = 5_000

/** SIGTERM to the group, then SIGKILL to whatever of it is left after the grace period. */
export async function endGroup(pgid: number, graceMs = stopGraceMs): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) return
  const deadline = performance.now() + graceMs
  while (groupAlive(pgid) && performance.now() < deadline) await Bun.sleep(25)
  signalGroup(pgid, 'SIGKILL')
}

/** Sends `signal` to every process of the group; false when the group has none left. */
function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal)
    return true
  } catch {
    return false // ESRCH: nobody left
  }
}

const groupAlive = (pgid: number) => signalGroup(pgid, 0)

/**
 * Ends the process groups of children a previous run recorded and could not end (it was killed with
 * SIGKILL). A pid is trusted only when, per /proc, it still leads its own group and started when the
 * record says (within 2 s), so a pid the system has since given to another program is left alone.
 * Without /proc (not Linux) nothing is done. Returns the pids it ended.
 */
export async function endOrphans(recorded: { pid: number; startedAt: number | null }[]): Promise<number[]> {
  // Nearly every start has none: then /proc is not read at all.
  if (recorded.length === 0) return []
  const bootMs = bootTimeMs()
  if (bootMs === undefined) return []
  const orphans = recorded.filter(({ pid, startedAt }) => {
    const stat = procStat(pid)
    if (!stat || startedAt === null || stat.pgrp !== pid || pid === process.pid) return false
    return Math.abs(bootMs + stat.startTicks * 10 - startedAt) < 2_000
  })
  await Promise.all(orphans.map(({ pid }) => endGroup(pid)))
  return orphans.map(({ pid }) => pid)
}

function bootTimeMs(): number | undefined {
  try {
    const line = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))
    return line ? Number(line[1]) * 1_000 : undefined
  } catch {
    return undefined
  }
}

/** Fields of /proc/<pid>/stat: the group, and the start in clock ticks (USER_HZ, 100 on Linux) since boot. */
function procStat(pid: number): { pgrp: number; startTicks: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name is in parentheses and may hold spaces: count fields after its closing one.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
    return { pgrp: Number(fields[2]), startTicks: Number(fields[19]) }
  } catch {
    return undefined
  }
}
