import { Elysia, t } from 'elysia'
import type { OpenAPIV3 } from 'openapi-types'
import { queryNumber } from '../../shared/model'
import type { SocketRegistry } from '../../shared/sockets'
import { checkHandshake } from '../../shared/websocket'
import { accessMacro, clientOf } from '../auth'
import { type EventHub, eventsTopic } from './hub'

const protocol =
  'WebSocket. On connect: `{ type: "snapshot", seq, data: [ServerInfo] }`, or with `?since=<seq>` the events after `seq` while they are still buffered (else a snapshot). Then `{ type: "server_update", seq, data: ServerInfo, changed }` after each check (`changed`: the status changed) or settings change, and `{ type: "server_registered" | "server_removed", seq, data: ServerInfo }`. Send `{ "type": "ping" }` to get `{ "type": "pong" }`. A client that falls 1 MB behind is disconnected.'

/** The OpenAPI entry for `/events`, written by hand since OpenAPI cannot describe a WebSocket. */
export const eventsPathDoc: OpenAPIV3.PathsObject = {
  '/events': {
    get: {
      ...({ 'x-automcp-access': 'read' } as object), // an OpenAPI extension: who may open it
      tags: ['events'],
      summary: 'Live registry and status events (WebSocket)',
      description: protocol,
      parameters: [
        {
          name: 'since',
          in: 'query',
          required: false,
          schema: { type: 'integer' },
          description: 'Last `seq` seen',
        },
      ],
      responses: { '101': { description: 'Switching Protocols: the event stream' } },
    },
  },
}

/**
 * `/events`: a snapshot on connect, then `server_update`, `server_registered` and `server_removed`
 * events; `?since=<seq>` replays what a reconnecting client missed.
 */
export const eventsController = (hub: EventHub, snapshotJson: () => string, sockets: SocketRegistry) =>
  new Elysia({ name: 'events' }).use(accessMacro).ws('/events', {
    access: 'read',
    // `token`: the API key, for clients that cannot send headers (checked before the upgrade).
    query: t.Object({
      since: t.Optional(
        queryNumber({ pattern: '^\\d{1,16}$', error: 'must be a `seq` the socket sent, in decimal digits' }),
      ),
      token: t.Optional(t.String()),
    }),
    beforeHandle: checkHandshake,
    detail: { hide: true }, // documented by eventsPathDoc: OpenAPI has no WebSocket operations
    open(ws) {
      const since = ws.data.query.since
      const missed = since === undefined ? null : hub.since(since)
      // Subscribing and sending happen in one turn of the event loop, so no event falls in between.
      ws.subscribe(eventsTopic)
      sockets.add('/events', ws.raw, clientOf(ws.data.request))
      if (missed) for (const json of missed) ws.send(json)
      else ws.send(`{"type":"snapshot","seq":${hub.seq},"data":${snapshotJson()}}`)
    },
    close(ws) {
      sockets.delete(ws.raw)
    },
    message(ws, message) {
      const type = (message as { type?: unknown } | null)?.type
      if (type === 'ping') ws.send({ type: 'pong' })
      else
        ws.send({
          type: 'error',
          error: { code: 'unknown_message', message: 'This socket only answers {"type":"ping"}' },
        })
    },
  })
