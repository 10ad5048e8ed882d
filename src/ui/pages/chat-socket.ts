// The page's one `/chat` socket: opened on the first message, opened again after it closed. The key goes
// as a subprotocol (see session.ts), never in the URL.
import { useEffect, useRef } from 'preact/hooks'
import { socketProtocols } from '../session'

export type SocketMessage = { type?: unknown; id?: unknown; [field: string]: unknown }

export function useChatSocket(handlers: {
  message: (message: SocketMessage) => void
  closed: (code: number) => void
}) {
  const socket = useRef<WebSocket | null>(null)
  const current = useRef(handlers)
  current.current = handlers
  useEffect(() => () => socket.current?.close(), [])

  return function send(message: Record<string, unknown>) {
    let ws = socket.current
    if (!ws || ws.readyState >= WebSocket.CLOSING) {
      const opened = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/chat`, socketProtocols())
      opened.onmessage = (event) => {
        let parsed: unknown
        try {
          parsed = JSON.parse(String(event.data))
        } catch {
          return
        }
        if (parsed && typeof parsed === 'object') current.current.message(parsed as SocketMessage)
      }
      opened.onclose = (event) => {
        // A socket already replaced (a new chat while it closed) has nothing left to end.
        if (socket.current !== opened) return
        socket.current = null
        current.current.closed(event.code)
      }
      socket.current = opened
      ws = opened
    }
    const text = JSON.stringify(message)
    if (ws.readyState === WebSocket.OPEN) ws.send(text)
    else ws.addEventListener('open', () => ws.send(text), { once: true })
  }
}
