import { expect, test } from 'bun:test'
import {
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
} from '@modelcontextprotocol/sdk/types.js'
import { kindOf } from './dispatch'

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
