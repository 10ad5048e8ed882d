import type { ProbeOutcome, ProbeTarget } from '.'
import type { ProbeRequest, ThreadSettings } from './worker'

type Pending = Map<number, (result: unknown) => void>
type WithoutSeq<T> = T extends unknown ? Omit<T, 'seq'> : never

export type RemoteProber = ReturnType<typeof createRemoteProber>

/**
 * The prober and its MCP sessions, run in a Worker thread (./worker.ts, started from `entry`) and
 * called by message. The
 * scheduler, flap control and the database stay on the main thread; only the network work moves.
 */
export function createRemoteProber(entry: URL, settings: ThreadSettings) {
  // smol: JavaScriptCore's small heap; the thread holds sessions, not big data.
  const worker = new Worker(entry, { name: 'probes', smol: true })
  worker.postMessage(settings)
  const pending: Pending = new Map()
  let seq = 0
  let ended: Error | undefined
  worker.onmessage = (event: MessageEvent<{ seq: number; result: unknown }>) => {
    const settle = pending.get(event.data.seq)
    pending.delete(event.data.seq)
    settle?.(event.data.result)
  }
  // A thread that died answers nothing more: fail what waits, and whatever asks later.
  const end = (error: Error) => {
    ended ??= error
    for (const settle of pending.values()) settle(error)
    pending.clear()
  }
  worker.addEventListener('error', (e) => end(new Error(`probe thread failed: ${e.message}`)))
  const call = <T>(request: WithoutSeq<ProbeRequest>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (ended) return reject(ended)
      seq++
      pending.set(seq, (r) => (r instanceof Error ? reject(r) : resolve(r as T)))
      worker.postMessage({ ...request, seq })
    })

  return {
    probe: ({ signal: _, ...target }: ProbeTarget) => call<ProbeOutcome>({ op: 'probe', target }),
    sessions: {
      /** Closes the server's MCP session (HTTP DELETE on streamable HTTP). */
      close: (serverId: string) => call<null>({ op: 'close', serverId }).then(() => {}),
      /** Aborts checks in flight and closes every session. */
      closeAll: () => call<null>({ op: 'closeAll' }).then(() => {}),
      count: () => call<number>({ op: 'count' }),
    },
    /** Ends the thread; close the sessions first. */
    terminate() {
      worker.terminate()
      end(new Error('probe thread stopped'))
    },
  }
}
