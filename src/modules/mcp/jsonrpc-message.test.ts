import { describe, expect, test } from 'bun:test'
import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js'
import { isMessage } from './jsonrpc-message'

const request = { jsonrpc: '2.0', id: 1, method: 'tools/list' }
const result = { jsonrpc: '2.0', id: 1, result: {} }
const error = { jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'Method not found' } }
const task = 'io.modelcontextprotocol/related-task'

// Each case with what both must say of it, so that agreement is never two wrong answers alike.
const cases: [string, unknown, boolean][] = [
  ['request, integer id', request, true],
  ['request, string id', { ...request, id: 'a' }, true],
  ['request, id 0', { ...request, id: 0 }, true],
  ['request, negative id', { ...request, id: -7 }, true],
  ['request, largest safe integer id', { ...request, id: Number.MAX_SAFE_INTEGER }, true],
  ['request, id past the safe integers', { ...request, id: 2 ** 53 }, false],
  ['request, float id', { ...request, id: 1.5 }, false],
  ['request, null id', { ...request, id: null }, false],
  ['request, boolean id', { ...request, id: true }, false],
  ['request, object params', { ...request, params: { cursor: 'x' } }, true],
  ['request, params an array', { ...request, params: [1] }, false],
  ['request, params null', { ...request, params: null }, false],
  ['request, method not a string', { ...request, method: 1 }, false],
  ['request, an extra member', { ...request, extra: 1 }, false],
  [
    'request, _meta with a string progress token and more',
    { ...request, params: { _meta: { progressToken: 'p', x: 1 } } },
    true,
  ],
  [
    'request, _meta with a float progress token',
    { ...request, params: { _meta: { progressToken: 1.5 } } },
    false,
  ],
  ['request, _meta not an object', { ...request, params: { _meta: 5 } }, false],
  ['request, _meta null', { ...request, params: { _meta: null } }, false],
  [
    'request, related task with a string taskId',
    { ...request, params: { _meta: { [task]: { taskId: 't' } } } },
    true,
  ],
  [
    'request, related task with a number taskId',
    { ...request, params: { _meta: { [task]: { taskId: 3 } } } },
    false,
  ],
  ['notification', { jsonrpc: '2.0', method: 'notifications/initialized' }, true],
  ['notification with params', { jsonrpc: '2.0', method: 'n', params: { a: 1 } }, true],
  ['notification with an extra member', { jsonrpc: '2.0', method: 'n', extra: 1 }, false],
  ['notification with _meta not an object', { jsonrpc: '2.0', method: 'n', params: { _meta: [] } }, false],
  ['result', result, true],
  ['result with members', { ...result, result: { tools: [], nextCursor: 'c' } }, true],
  ['result an array', { ...result, result: [] }, false],
  ['result null', { ...result, result: null }, false],
  ['result without id', { jsonrpc: '2.0', result: {} }, false],
  ['result with _meta not an object', { ...result, result: { _meta: 'm' } }, false],
  ['result with an extra member', { ...result, extra: 1 }, false],
  ['error with id', error, true],
  ['error without id', { jsonrpc: '2.0', error: error.error }, true],
  ['error with null id', { ...error, id: null }, false],
  ['error with data and a member of its own', { ...error, error: { ...error.error, data: [1], x: 1 } }, true],
  ['error, float code', { ...error, error: { code: 1.5, message: 'm' } }, false],
  ['error, code past the safe integers', { ...error, error: { code: 2 ** 60, message: 'm' } }, false],
  ['error, no code', { ...error, error: { message: 'm' } }, false],
  ['error, message not a string', { ...error, error: { code: 1, message: 2 } }, false],
  ['error and result at once', { ...error, result: {} }, false],
  ['method and result at once', { ...request, result: {} }, false],
  ['jsonrpc missing', { id: 1, method: 'm' }, false],
  ['jsonrpc 1.0', { ...request, jsonrpc: '1.0' }, false],
  ['jsonrpc alone', { jsonrpc: '2.0' }, false],
  ['id alone', { jsonrpc: '2.0', id: 1 }, false],
  ['__proto__ as a member', JSON.parse('{"jsonrpc":"2.0","id":1,"method":"m","__proto__":{}}'), false],
  ['an array', [request], false],
  ['a string', 'request', false],
  ['null', null, false],
]

describe('isMessage', () => {
  test.each(cases)('%s: as the SDK’s JSONRPCMessageSchema', (_, message, expected) => {
    expect(JSONRPCMessageSchema.safeParse(message).success).toBe(expected)
    expect(isMessage(message)).toBe(expected)
  })
})
