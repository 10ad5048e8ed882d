import type { Protocol } from '@modelcontextprotocol/sdk/shared/protocol.js'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import type {
  JSONRPCErrorResponse,
  JSONRPCMessage,
  JSONRPCNotification,
  JSONRPCRequest,
  JSONRPCResultResponse,
  MessageExtraInfo,
} from '@modelcontextprotocol/sdk/types.js'

/** The SDK Protocol's own handlers, which its dispatcher calls. */
type Handlers = {
  _onrequest(message: JSONRPCRequest, extra?: MessageExtraInfo): void
  _onnotification(message: JSONRPCNotification): void
  _onresponse(message: JSONRPCResultResponse | JSONRPCErrorResponse): void
}

/**
 * The kind of a message that the SDK's strict `JSONRPCMessageSchema` accepted, by its members: such a
 * message has exactly the members of one kind (dispatch.test.ts checks it against the SDK's guards).
 */
export function kindOf(message: JSONRPCMessage): 'request' | 'notification' | 'response' | undefined {
  if ('method' in message) return 'id' in message ? 'request' : 'notification'
  if ('result' in message || 'error' in message) return 'response'
  return undefined
}

/**
 * Replaces the dispatcher that `protocol.connect(transport)` installed with one that sorts messages with
 * `kindOf`. The SDK's tries each message against up to four Zod schemas, each failure building an error
 * object (a request to the gateway failed two of them: ~9% of the main thread's time per call). Only for
 * a transport that delivers messages the SDK's strict schema accepts: the SDK's client transports parse
 * with it, the gateway's and ./streamable-client.ts check with `isMessage`. Anything else goes to the
 * SDK's dispatcher.
 */
export function dispatchByShape(protocol: Protocol<never, never, never>, transport: Transport): void {
  const sdk = transport.onmessage
  const handlers = protocol as unknown as Handlers
  transport.onmessage = (message: JSONRPCMessage, extra?: MessageExtraInfo) => {
    const kind = kindOf(message)
    if (kind === 'request') handlers._onrequest(message as JSONRPCRequest, extra)
    else if (kind === 'notification') handlers._onnotification(message as JSONRPCNotification)
    else if (kind === 'response') handlers._onresponse(message as JSONRPCResultResponse)
    else sdk?.(message, extra)
  }
}
