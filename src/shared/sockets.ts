/** Something that can be closed like a WebSocket. */
type Closable = { close(code?: number, reason?: string): void }

export type SocketRegistry = ReturnType<typeof createSocketRegistry>

/**
 * The open WebSockets, by route. Bun's graceful `server.stop()` waits for every connection to end, and a
 * WebSocket never ends by itself: shutdown closes them (1001, going away) so it takes milliseconds, not
 * the 10 s backstop.
 */
export function createSocketRegistry() {
  const open = new Map<Closable, { route: string; client: string }>()
  return {
    /** `client`: who opened it (an API key's id), so that a revoked key's sockets can be closed. */
    add(route: string, socket: Closable, client = '') {
      open.set(socket, { route, client })
    },
    delete(socket: Closable) {
      open.delete(socket)
    },
    /** How many are open on `route`. */
    count(route: string): number {
      let n = 0
      for (const s of open.values()) if (s.route === route) n++
      return n
    },
    /** Closes (1008, policy violation) the sockets whose client `keep` refuses. */
    closeUnless(keep: (client: string) => boolean, reason: string) {
      for (const [socket, { client }] of open)
        if (!keep(client)) {
          open.delete(socket)
          socket.close(1008, reason)
        }
    },
    closeAll(reason = 'AutoMCP is shutting down') {
      for (const socket of open.keys()) socket.close(1001, reason)
      open.clear()
    },
  }
}
