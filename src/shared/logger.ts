// One JSON object per line, so logs can be grepped by people and parsed by collectors alike.
import { writeSync } from 'node:fs'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type Logger = Record<LogLevel, (msg: string, fields?: Record<string, unknown>) => void>

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

/**
 * Lines written in one turn of the event loop go out in one write: a request log line per request
 * otherwise costs a syscall each. Whatever is pending is written synchronously at exit.
 */
export function stdoutSink(): (line: string) => void {
  let pending = ''
  const flush = () => {
    if (pending) process.stdout.write(pending)
    pending = ''
  }
  process.on('exit', () => {
    try {
      if (pending) writeSync(1, pending)
    } catch {}
  })
  return (line) => {
    if (!pending) setImmediate(flush)
    pending += line
  }
}

export function createLogger(level: LogLevel, write: (line: string) => void = stdoutSink()): Logger {
  const at =
    (lvl: LogLevel) =>
    (msg: string, fields?: Record<string, unknown>): void => {
      if (rank[lvl] < rank[level]) return
      write(`${JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields })}\n`)
    }
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

export const silentLogger: Logger = createLogger('error', () => {})
