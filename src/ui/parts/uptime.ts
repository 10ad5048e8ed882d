// Uptime over 24 h for a row whose server object has none yet (AutoMCP fills it in periodically): read
// from `/stats` once per server, a few at a time, so a thousand rows never send a thousand requests at once.
import { type Signal, signal } from '@preact/signals'
import { api } from '../api'

const known = new Map<string, Signal<number | null>>()
const waiting: string[] = []
let running = 0

export function uptimeOf(id: string, fromServer: number | null): number | null {
  if (fromServer !== null) return fromServer
  let value = known.get(id)
  if (!value) {
    value = signal<number | null>(null)
    known.set(id, value)
    waiting.push(id)
    pump()
  }
  return value.value
}

function pump() {
  while (running < 4 && waiting.length > 0) {
    const id = waiting.shift() as string
    running++
    void api
      .servers({ id })
      .stats.get({ query: { window: '24h' } })
      .then(({ data }) => {
        const value = known.get(id)
        if (value && data) value.value = data.uptime_ratio
      })
      .finally(() => {
        running--
        pump()
      })
  }
}
