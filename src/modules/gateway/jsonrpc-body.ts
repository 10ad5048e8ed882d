// What the gateway's two transports do alike with a POST: read its body within a bound and take it
// apart into JSON-RPC messages, and answer what is wrong with it as a JSON-RPC error.
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js'
import { readUpTo } from '../../shared/body'
import { isMessage } from '../mcp'

/** The SDK's own bound on a JSON-RPC batch (server/requestBody.js). */
export const MAX_BATCH = 100

export function isJson(contentType: string | null): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/json'
}

/**
 * The body as text, or undefined when it is larger than `max` bytes. A body with a Content-Length is
 * read whole (the connection delivers no more than that); a streamed one stops being read at `max`.
 */
export async function readBody(request: Request, max: number): Promise<string | undefined> {
  const length = request.headers.get('content-length')
  if (length !== null) return Number(length) > max ? undefined : request.text()
  return request.body ? readUpTo(request.body, max) : ''
}

export const PARSE = {
  json: 'Parse error: Invalid JSON',
  message: 'Invalid Request: not a JSON-RPC message',
  batch: `Invalid Request: a batch holds 1 to ${MAX_BATCH} messages`,
} as const

/** One message or a batch of them, or what is wrong with the body. */
export function parseMessages(body: string): JSONRPCMessage[] | keyof typeof PARSE {
  let raw: unknown
  try {
    raw = JSON.parse(body)
  } catch {
    return 'json'
  }
  return messagesOf(raw)
}

/** A parsed body as one message or a batch of them, or what is wrong with it. */
export function messagesOf(raw: unknown): JSONRPCMessage[] | Exclude<keyof typeof PARSE, 'json'> {
  const list = Array.isArray(raw) ? raw : [raw]
  if (list.length === 0 || list.length > MAX_BATCH) return 'batch'
  for (const item of list) if (!isMessage(item)) return 'message'
  return list as JSONRPCMessage[]
}

/** A JSON-RPC error with no id: the transport's own answer to a POST it cannot take. */
export function rpcError(
  status: number,
  code: number,
  message: string,
  headers?: Record<string, string>,
): Response {
  return Response.json({ jsonrpc: '2.0', error: { code, message }, id: null }, { status, headers })
}

/** What the SDK hands a request's handler of its HTTP request, built only if a handler reads it. */
export function requestInfo(request: Request, authInfo?: AuthInfo): MessageExtraInfo {
  let headers: Record<string, string> | undefined
  let url: URL | undefined
  return {
    ...(authInfo ? { authInfo } : {}),
    requestInfo: {
      get headers() {
        headers ??= Object.fromEntries(request.headers)
        return headers
      },
      get url() {
        url ??= new URL(request.url)
        return url
      },
    },
  }
}
