// How a failed MCP operation reaches its caller on the API thread, wherever it ran (SDK-free: loaded at
// start-up with ./remote.ts).
import type { Failed, RpcError } from './messages'

/** An operation that failed in the thread; `code` is the server's JSON-RPC error code when it sent one. */
export class ThreadError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message)
  }
}

export const isFailed = (r: unknown): r is Failed =>
  typeof r === 'object' && r !== null && typeof (r as Failed).failed === 'string'

/** A client's refusal or failure as the JSON-RPC error the asking server gets (-32603 without a code). */
export function rpcErrorOf(e: unknown): RpcError {
  const { message, code } = (e ?? {}) as { message?: string; code?: unknown }
  return { code: typeof code === 'number' ? code : -32603, message: message ?? String(e) }
}

/** An operation's result, or its failure thrown as a ThreadError. */
export function settled<T>(result: T | Failed): T {
  if (isFailed(result)) throw new ThreadError(result.failed, result.code)
  return result
}
