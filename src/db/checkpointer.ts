import { Database } from 'bun:sqlite'

/**
 * Moves WAL checkpoints, and the fsyncs they do, off the thread that serves requests: the main
 * connection only checkpoints on its own once the WAL is large (a fallback), and this connection, in the
 * background thread, runs a PASSIVE checkpoint (it never blocks readers or writers) every second.
 */
export function startCheckpointer(path: string, everyMs = 1_000): () => void {
  const db = new Database(path)
  db.run('PRAGMA busy_timeout = 5000')
  const timer = setInterval(() => {
    try {
      db.run('PRAGMA wal_checkpoint(PASSIVE)')
    } catch {
      // A busy database is checkpointed on the next round.
    }
  }, everyMs)
  return () => {
    clearInterval(timer)
    db.close()
  }
}

/** Pages the main connection lets the WAL grow to before checkpointing by itself. */
export const fallbackAutocheckpointPages = 10_000
