// Uptime over 24 h for a row whose server object has none yet (AutoMCP fills it in periodically): read
// from `/stats` once per server, a few at a time, so a thousand rows never send a thousand requests at once.
import { type Signal, signal } from '@preact/signals'
import { api } from '../api'

const known = new Map<string, { value: Signal<number | null>; at: number }>()
const waiting: string[] = []
let running = 0

/** The server's own figure, else the one read from `/stats` (asked again after a minute while unknown). */
export function uptimeOf(id: string, fromServer: number | null): number | null {
  if (fromServer !== null) return fromServer
  let entry = known.get(id)
  if (!entry) {
    entry = { value: signal<number | null>(null), at: 0 }
    known.set(id, entry)
  }
  if (entry.value.peek() === null && Date.now() - entry.at > 60_000) {
    entry.at = Date.now()
    waiting.push(id)
    pump()
  }
  return entry.value.value
}

function pump() {
  while (running < 4 && waiting.length > 0) {
    const id = waiting.shift() as string
    running++
    void api
      .servers({ id })
      .stats.get({ query: { window: '24h' } })
      .then(({ data }) => {
        const entry = known.get(id)
        if (entry && data) entry.value.value = data.uptime_ratio
      })
      .finally(() => {
        running--
        pump()
      })
  }
}
