import { HttpError } from './errors'

/**
 * The `beforeHandle` of every socket route: refuses what Bun could not upgrade while the answer can still
 * be `{ detail, code }`. Left to Bun, a missing or malformed `Sec-WebSocket-Key` got Elysia's plain-text
 * 400 and a wrong `Sec-WebSocket-Version` a bare 426.
 */
export function checkHandshake({ request }: { request: Request }) {
  if (!/^[A-Za-z0-9+/]{22}==$/.test(request.headers.get('sec-websocket-key') ?? ''))
    throw new HttpError(
      400,
      'websocket_handshake',
      'Expected a WebSocket handshake with a valid Sec-WebSocket-Key',
    )
  if (request.headers.get('sec-websocket-version') !== '13')
    throw new HttpError(426, 'websocket_version', 'Only WebSocket version 13 is supported', {
      'sec-websocket-version': '13',
    })
}
