import type { SocketRegistry } from '../../shared/sockets'
import { eventsController } from '.'
import { createEventHub } from './hub'

/** Live events: the hub every change is published to, and the `/events` WebSocket. */
export function createEventsModule({
  snapshotJson,
  sockets,
}: {
  /** The server list as JSON, sent to a client on connect. */
  snapshotJson: () => string
  sockets: SocketRegistry
}) {
  const hub = createEventHub()
  return { hub, controller: eventsController(hub, snapshotJson, sockets) }
}
