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
  /** The session the request came on: its calls in flight, its server, whether it is lent (./sessions.ts). */
  session: { asking: Set<AskingCall>; serverId: string; lent?: string },
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
 * it belongs to, so it goes to a client only when every call in flight on the session comes from that one
 * client (a chat's or a direct call counts as another caller, with nothing to answer), and that client
 * declared what it is asked for. Otherwise it is refused; roots are then none.
 */
export function whoToAsk(
  asking: Iterable<AskingCall>,
  method: string,
  params: Record<string, unknown>,
): AskingCall | { refused: Unanswerable } | { answer: unknown } {
  const calls = [...asking]
  const callers = new Set(calls.map((c) => c.downstream))
  const able = callers.size === 1 ? calls.find((c) => canAnswer(c, method, params)) : undefined
  if (able) return able
  if (method === 'roots/list') return { answer: { roots: [] } }
  const why =
    callers.size > 1
      ? `calls from several callers are in flight on this server, so AutoMCP cannot tell whom to ask for ${method}`
      : `no MCP client that accepts ${method} has a call in flight on this server`
  return { refused: new Unanswerable(methodNotFound, why) }
}

/** A request of the client with no gateway call behind it: roots are none, anything else is refused. */
export function answerAlone(method: string, params: Record<string, unknown>): unknown {
  const who = whoToAsk([], method, params)
  if ('answer' in who) return who.answer
  throw 'refused' in who ? who.refused : new Unanswerable(methodNotFound, `nobody to ask for ${method}`)
}

/** A call made by AutoMCP itself (a chat's, a direct one): in flight on a session, able to answer nothing. */
export const ownCall = (): AskingCall => ({
  call: 0,
  downstream: '',
  caps: { sampling: false, elicitForm: false, elicitUrl: false, roots: false },
})
