/** Something that can be closed like a WebSocket. */
type Closable = { close(code?: number, reason?: string): void }

export type SocketRegistry = ReturnType<typeof createSocketRegistry>

/**
 * The open WebSockets, by route. Bun's graceful `server.stop()` waits for every connection to end, and a
 * WebSocket never ends by itself: shutdown closes them (1001, going away) so it takes milliseconds, not
 * the 10 s backstop.
 */
export function createSocketRegistry() {
  const open = new Map<Closable, string>()
  return {
    add(route: string, socket: Closable) {
      open.set(socket, route)
    },
    delete(socket: Closable) {
      open.delete(socket)
    },
    /** How many are open on `route`. */
    count(route: string): number {
      let n = 0
      for (const r of open.values()) if (r === route) n++
      return n
    },
    closeAll(reason = 'AutoMCP is shutting down') {
      for (const socket of open.keys()) socket.close(1001, reason)
      open.clear()
    },
  }
}
