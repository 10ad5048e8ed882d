/**
 * Live events with sequence numbers and a bounded replay buffer. Sequence numbers start from the clock
 * in microseconds, so after a restart they are larger than any the previous process handed out and a
 * client resuming with an old `since` gets a fresh snapshot instead of a wrong replay.
 */
export type EventHub = ReturnType<typeof createEventHub>

export const eventsTopic = 'events'

export function createEventHub({ bufferSize = 1_000, now = Date.now } = {}) {
  let seq = now() * 1_000
  const ring: { seq: number; json: string }[] = []
  let send: (json: string) => void = () => {}
  const listeners: ((type: string, data: unknown) => void)[] = []

  return {
    /** Where published events go: Bun's pub/sub once the server listens. */
    attach(sink: (json: string) => void) {
      send = sink
    },

    /** Hears every event in this process as it is published (the gateway follows servers this way). */
    listen(listener: (type: string, data: unknown) => void) {
      listeners.push(listener)
    },

    publish(type: string, data: unknown, extra: Record<string, unknown> = {}): number {
      seq++
      const json = JSON.stringify({ type, seq, data, ...extra })
      ring.push({ seq, json })
      if (ring.length > bufferSize) ring.shift()
      send(json)
      for (const l of listeners) l(type, data)
      return seq
    },

    get seq() {
      return seq
    },

    /** The events after `since`, or null when some of them are no longer buffered (send a snapshot). */
    since(since: number): string[] | null {
      if (since > seq) return null
      if (since === seq) return []
      const first = ring[0]
      if (!first || since < first.seq - 1) return null
      return ring.filter((e) => e.seq > since).map((e) => e.json)
    },
  }
}
