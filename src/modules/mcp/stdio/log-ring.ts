/** One line a stdio server wrote to stderr. `time`: epoch ms. */
export type LogLine = { time: number; text: string }

/** What a ring keeps of a child's stderr: the last `maxLines` lines, and no more than `maxBytes` of text. */
export const logLimits = { maxLines: 1_000, maxBytes: 256 * 1024, maxLineChars: 4_096 }

export type LogRing = ReturnType<typeof createLogRing>

/**
 * The last lines of a child's stderr, oldest dropped first. A line is cut at `maxLineChars`, so one long
 * line cannot push every other out; bytes are counted as UTF-16 code units times two, which is what the
 * strings hold in memory.
 */
export function createLogRing(limits = logLimits) {
  const lines: LogLine[] = []
  let bytes = 0
  // A line written in several chunks is kept until its end arrives.
  let partial = ''
  const size = (line: LogLine) => line.text.length * 2

  function push(text: string, time: number) {
    const line = {
      time,
      text: text.length > limits.maxLineChars ? `${text.slice(0, limits.maxLineChars)}…` : text,
    }
    lines.push(line)
    bytes += size(line)
    while (lines.length > limits.maxLines || bytes > limits.maxBytes) bytes -= size(lines.shift() as LogLine)
  }

  return {
    /** Adds what the child wrote; complete lines are kept, a trailing partial one waits for its end. */
    write(chunk: string, time: number) {
      const parts = (partial + chunk).split(/\r?\n/)
      partial = parts.pop() ?? ''
      if (partial.length > limits.maxLineChars) {
        parts.push(partial)
        partial = ''
      }
      for (const text of parts) push(text, time)
    },
    /** Keeps a line the child did not finish (it exited mid-line). */
    end(time: number) {
      if (partial) push(partial, time)
      partial = ''
    },
    /** The last `limit` lines, oldest first. */
    tail(limit: number): LogLine[] {
      return limit <= 0 ? [] : lines.slice(-limit)
    },
    /** The last complete line, for an error message. */
    last: (): string | undefined => lines.at(-1)?.text,
  }
}
