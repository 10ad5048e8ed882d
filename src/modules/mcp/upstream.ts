// What a server sends AutoMCP unasked (notifications) and asks of it as its client (sampling, elicitation,
// roots), on the way to the gateway's MCP clients. Pure: which gateway call's client a request goes to.

/** A gateway call in flight: which MCP client made it (`downstream`) and what that client can answer. */
export type AskingCall = { call: number; downstream: string; caps: ClientCaps }
export type ClientCaps = { sampling: boolean; elicitForm: boolean; elicitUrl: boolean; roots: boolean }

/** A server's notification the gateway passes on: a list changed, a subscribed resource changed, a log. */
export type Notice =
  | { type: 'list_changed'; list: 'tools' | 'resources' | 'prompts' }
  | { type: 'resource_updated'; uri: string }
  | { type: 'log'; params: Record<string, unknown> }

/** Answers a request the server made of its client (the session's), or rejects with why it cannot. */
export type ClientAsk = (
  session: { asking: Set<AskingCall> },
  method: string,
  params: Record<string, unknown>,
  signal: AbortSignal,
) => Promise<unknown>

/** A request AutoMCP cannot pass on: the JSON-RPC error the server gets. */
export class Unanswerable extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message)
  }
}

// JSON-RPC: the method is not available (no client that could answer it is there).
const methodNotFound = -32601

/** Whether a client that declared `caps` can answer `method` with these `params`. */
function canAnswer(call: AskingCall, method: string, params: Record<string, unknown>): boolean {
  if (method === 'sampling/createMessage') return call.caps.sampling
  if (method === 'roots/list') return call.caps.roots
  if (method === 'elicitation/create')
    return params.mode === 'url' ? call.caps.elicitUrl : call.caps.elicitForm
  return false
}

/**
 * The gateway call whose MCP client gets the server's request. A server's request says nothing of the call
 * it belongs to, so it goes to the client when every gateway call in flight on the session that could
 * answer comes from that one client; with none, or with several clients, it is refused (roots: none).
 */
export function whoToAsk(
  asking: Iterable<AskingCall>,
  method: string,
  params: Record<string, unknown>,
): AskingCall | { refused: Unanswerable } | { answer: unknown } {
  const able = [...asking].filter((c) => canAnswer(c, method, params))
  const clients = new Set(able.map((c) => c.downstream))
  const first = able[0]
  if (first && clients.size === 1) return first
  if (method === 'roots/list' && clients.size === 0) return { answer: { roots: [] } }
  const why =
    clients.size > 1
      ? `several MCP clients have calls in flight on this server, so AutoMCP cannot tell which to ask for ${method}`
      : `no MCP client that accepts ${method} has a call in flight on this server`
  return { refused: new Unanswerable(methodNotFound, why) }
}
