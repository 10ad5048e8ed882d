// The server list, live from `/events`: one signal per row, so an update re-renders one row, and the
// messages of one animation frame applied at once. Reconnects with `?since=<last seq>` after a backoff.
import { batch, type Signal, signal } from '@preact/signals'
import type { ServerInfo } from '../modules/servers/model'
import {
  backoff,
  type Counts,
  countsOf,
  nextRow,
  orderOf,
  type Row,
  type ServerEvent,
  tagsOf,
} from './live-rows'
import { socketProtocols } from './session'

export type Connection = 'off' | 'connecting' | 'live' | 'reconnecting'

/** Ids in display order; changes only when a server comes, goes or is renamed. */
export const order = signal<string[]>([])
export const counts = signal<Counts>(countsOf([]))
export const allTags = signal<string[]>([])
export const connection = signal<Connection>('off')
/** Set once the first snapshot arrived: "no servers" means none, not "not yet". */
export const loaded = signal(false)

const rows = new Map<string, Signal<Row>>()
/** A server's row signal, read by its row and by its page. */
export const rowOf = (id: string): Signal<Row> | undefined => rows.get(id)

let socket: WebSocket | null = null
let lastSeq: number | null = null
let attempt = 0
let retry: ReturnType<typeof setTimeout> | undefined
let queue: ServerEvent[] = []
let scheduled = false

/** Opens the stream (again); the rows stay on screen while it reconnects. */
export function startLive() {
  if (socket) return
  connection.value = lastSeq === null ? 'connecting' : 'reconnecting'
  const url = new URL('/events', location.href)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  if (lastSeq !== null) url.searchParams.set('since', String(lastSeq))
  const ws = new WebSocket(url, socketProtocols())
  socket = ws
  // Open is live: a resume with nothing missed sends nothing until the next change.
  ws.onopen = () => {
    attempt = 0
    connection.value = 'live'
  }
  ws.onmessage = (message) => {
    const event = JSON.parse(String(message.data)) as ServerEvent | { type: string }
    if (!('seq' in event)) return
    attempt = 0
    connection.value = 'live'
    lastSeq = event.seq
    queue.push(event)
    schedule()
  }
  ws.onclose = () => {
    if (socket !== ws) return
    socket = null
    connection.value = 'reconnecting'
    retry = setTimeout(startLive, backoff(attempt++))
  }
}

/** Closes the stream and forgets the list (on sign-out). */
export function stopLive() {
  clearTimeout(retry)
  const ws = socket
  socket = null
  ws?.close()
  lastSeq = null
  queue = []
  scheduled = false
  rows.clear()
  batch(() => {
    order.value = []
    counts.value = countsOf([])
    allTags.value = []
    loaded.value = false
    connection.value = 'off'
  })
}

// A hidden tab gets no animation frames: a timer flushes too, whichever comes first.
function schedule() {
  if (scheduled) return
  scheduled = true
  requestAnimationFrame(flush)
  setTimeout(flush, 250)
}

function flush() {
  if (!scheduled) return
  scheduled = false
  const events = queue
  queue = []
  batch(() => {
    let reordered = false
    for (const event of events) reordered = apply(event) || reordered
    const infos = [...rows.values()].map((r) => r.peek().info)
    if (reordered) order.value = orderOf(infos)
    counts.value = countsOf(infos)
    const tags = tagsOf(infos)
    if (tags.join('\n') !== allTags.peek().join('\n')) allTags.value = tags
    loaded.value = true
  })
}

/** Applies one event; true when the order may have changed. */
function apply(event: ServerEvent): boolean {
  if (event.type === 'snapshot') {
    const ids = new Set(event.data.map((s) => s.id))
    for (const id of rows.keys()) if (!ids.has(id)) rows.delete(id)
    for (const info of event.data) upsert(info)
    return true
  }
  if (event.type === 'server_removed') return rows.delete(event.data.id)
  return upsert(event.data)
}

function upsert(info: ServerInfo): boolean {
  const row = rows.get(info.id)
  if (!row) {
    rows.set(info.id, signal(nextRow(undefined, info)))
    return true
  }
  const renamed = row.peek().info.name !== info.name
  row.value = nextRow(row.peek(), info)
  return renamed
}
