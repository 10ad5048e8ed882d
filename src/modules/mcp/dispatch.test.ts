import { expect, test } from 'bun:test'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import {
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  LoggingMessageNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js'
import { dispatchByShape, kindOf } from './dispatch'

// What the SDK's own dispatcher (shared/protocol.js, `connect`) makes of a message, in its order.
const sdkKind = (m: unknown) =>
  isJSONRPCResultResponse(m) || isJSONRPCErrorResponse(m)
    ? 'response'
    : isJSONRPCRequest(m)
      ? 'request'
      : isJSONRPCNotification(m)
        ? 'notification'
        : undefined

const messages: [JSONRPCMessage, string | undefined][] = [
  [{ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 't', arguments: {} } }, 'request'],
  [{ jsonrpc: '2.0', id: 'a', method: 'ping' }, 'request'],
  [
    { jsonrpc: '2.0', id: 0, method: 'elicitation/create', params: { _meta: { progressToken: 2 } } },
    'request',
  ],
  [{ jsonrpc: '2.0', method: 'notifications/initialized' }, 'notification'],
  [{ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } }, 'notification'],
  [{ jsonrpc: '2.0', id: 1, result: {} }, 'response'],
  [{ jsonrpc: '2.0', id: 'x', result: { content: [], _meta: { a: 1 } } }, 'response'],
  [{ jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'no' } }, 'response'],
  [{ jsonrpc: '2.0', error: { code: -32700, message: 'parse error' } } as JSONRPCMessage, 'response'],
  // None of them: left to the SDK's dispatcher, which reports it.
  [{ jsonrpc: '2.0', id: 1 } as unknown as JSONRPCMessage, undefined],
]

test.each(messages)('%j is a %s, as the SDK sorts it', (message, kind) => {
  expect(kindOf(message)).toBe(kind as never)
  expect(sdkKind(message)).toBe(kind as never)
})

test('wired to the SDK: requests, notifications and answers flow both ways; a message of no kind is reported', async () => {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
  const server = new Server({ name: 's', version: '1' }, { capabilities: { logging: {} } })
  const client = new Client({ name: 'c', version: '1' })
  const errors: string[] = []
  server.onerror = (e) => errors.push(e.message)
  await server.connect(serverSide)
  dispatchByShape(server as never, serverSide)
  await client.connect(clientSide)
  dispatchByShape(client as never, clientSide)
  const logs: unknown[] = []
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params.data))
  expect(await client.ping()).toEqual({}) // a request and its answer
  await server.sendLoggingMessage({ level: 'info', data: 'hello' }) // a notification
  await client.ping() // the notification was delivered before this answer
  expect(logs).toEqual(['hello'])
  await clientSide.send({ jsonrpc: '2.0', id: 9 } as never)
  expect(errors).toEqual([expect.stringContaining('Unknown message type')])
  await client.close()
})
