// The SDK's strict JSON-RPC message schema, checked by hand: for messages read off the wire by the
// gateway's transports and by the MCP thread's streamable HTTP client.
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'

type Fields = Record<string, unknown>

const isObject = (x: unknown): x is Fields => typeof x === 'object' && x !== null && !Array.isArray(x)
// Zod 4's int() (the SDK's ids, progress tokens and error codes) is a safe integer.
const isInt = (x: unknown) => Number.isSafeInteger(x)
const isId = (x: unknown) => typeof x === 'string' || isInt(x)
const only = (m: Fields, keys: readonly string[]) => Object.keys(m).every((k) => keys.includes(k))

/**
 * `_meta` of params or a result as the SDK's RequestMetaSchema reads it: any members, but a progress
 * token and a related task of their types. A message the schema refuses is dropped by the SDK's Protocol
 * as of an unknown type, which would leave the request it answers, or its POST, waiting.
 */
function isMeta(meta: unknown): boolean {
  if (meta === undefined) return true
  if (!isObject(meta)) return false
  const task = meta['io.modelcontextprotocol/related-task']
  return (
    (meta.progressToken === undefined || isId(meta.progressToken)) &&
    (task === undefined || (isObject(task) && typeof task.taskId === 'string'))
  )
}

/** Params or a result: an object, whose `_meta` if any is one. */
const withMeta = (x: unknown) => isObject(x) && isMeta(x._meta)

const requestKeys = ['jsonrpc', 'id', 'method', 'params']
const resultKeys = ['jsonrpc', 'id', 'result']
const errorKeys = ['jsonrpc', 'id', 'error']

/**
 * A JSON-RPC 2.0 request, notification or response: true exactly when the SDK's (strict)
 * JSONRPCMessageSchema accepts it (jsonrpc-message.test.ts holds the two together). Checked by hand: the
 * Zod union costs more than the rest of reading a message. The gateway checks what its clients POST
 * with it (each request's params are still checked by the SDK's Server against its method's schema),
 * and the MCP thread what servers answer (./streamable-client.ts).
 */
export function isMessage(x: unknown): x is JSONRPCMessage {
  if (!isObject(x) || x.jsonrpc !== '2.0') return false
  if ('method' in x)
    return (
      typeof x.method === 'string' &&
      (x.id === undefined || isId(x.id)) &&
      (x.params === undefined || withMeta(x.params)) &&
      only(x, requestKeys)
    )
  if ('result' in x) return isId(x.id) && withMeta(x.result) && only(x, resultKeys)
  const { error } = x
  return (
    (x.id === undefined || isId(x.id)) &&
    isObject(error) &&
    isInt(error.code) &&
    typeof error.message === 'string' &&
    only(x, errorKeys)
  )
}
