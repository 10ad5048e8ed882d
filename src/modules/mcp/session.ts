import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { SSEClientTransport, SseError } from '@modelcontextprotocol/sdk/client/sse.js'
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js'
import type { FetchLike } from '../../shared/guarded-fetch'
import { version } from '../../version'
import { dispatchByShape } from './dispatch'
import type { ServerLists, ToolMetadata } from './lists'
import { type Seen, SessionError } from './outcome'
import { sharedSchemaValidator } from './schema-validator'
import type { StdioSupervisor } from './stdio/supervisor'
import { createTransport, type HttpTarget, type McpTarget, type McpTransport, terminate } from './transports'
import { type AskingCall, answerAlone, type ClientAsk, type Notice } from './upstream'

/** One live MCP session with one server. */
export type Session = {
  /** The address, transport and headers it was opened with: a session for other ones is replaced. */
  key: string
  client: Client
  transport: McpTransport
  protocolVersion?: string
  lists?: ServerLists
  /** When the lists were last fetched; 0 when the server said they changed. */
  listsAt: number
  closed: boolean
  /**
   * The server forgot it (a 404): closed by the caller that saw that first. A request another caller had
   * in flight on it fails with "connection closed", but the server refused it too, so it may be sent again.
   */
  forgotten?: boolean
  /** Checks in a row that got no answer over this session (a stdio child that hangs is started anew). */
  missed?: number
  /** How long opening it took (connecting and `initialize`), in ms. */
  handshakeMs?: number
  /** What its exchanges showed beyond the SDK's errors: the last failed response, how far it got. */
  seen: Seen
  /** Gateway calls in flight over it: a request the server makes of its client goes to one of them. */
  asking: Set<AskingCall>
  /** The server it is with. */
  serverId: string
  /** Opened with OAuth tokens (which only the MCP thread's fetch adds): never lent. */
  oauth?: boolean
  /** The session id under which the API thread makes its tool calls on it too (./near-pool.ts). */
  lent?: string
  /** The tools (as listed, in JSON) the API thread was last told of, for its checks of their results. */
  toldTools?: string
}

/** What a server may ask of AutoMCP as its client, to be passed on to the MCP client of a gateway call. */
const upstreamCapabilities = {
  sampling: {},
  elicitation: { form: {}, url: {} },
  roots: { listChanged: true },
}

/** What the server says unasked, and what it asks, for the gateway (the checks need neither). */
export type UpstreamHooks = {
  notice: (serverId: string, notice: Notice, session: Session) => void
  ask: ClientAsk
  /** The session closed (its server, its stream or AutoMCP ended it). */
  closed?: (session: Session) => void
}

/** Everything that says where and how the session talks: a session for anything else is replaced. */
export const sessionKey = (target: McpTarget) => {
  // OAuth material changes with every refresh: the session goes on with the new token, not a new session.
  const { id: _, oauth: __, ...where } = target as McpTarget & { oauth?: unknown }
  return JSON.stringify(where)
}

/**
 * Connects to the server and runs the MCP handshake (`initialize`), or throws what went wrong (a
 * SessionError saying what was seen of it).
 */
export async function openSession(
  target: McpTarget,
  signal: AbortSignal,
  {
    fetch: fetchFn,
    stdio,
    oauthFetch,
    hooks,
  }: {
    fetch?: FetchLike
    hooks?: UpstreamHooks
    stdio?: Pick<StdioSupervisor, 'spawn' | 'downOf'>
    /** The fetch of a server that uses OAuth: it adds and renews the tokens. */
    oauthFetch?: (target: HttpTarget) => FetchLike
  } = {},
): Promise<Session> {
  const seen: Seen = { reachedMcp: false }
  const fetchFor = target.transport !== 'stdio' && target.oauth && oauthFetch ? oauthFetch(target) : fetchFn
  const transport = await transportFor(target, seen, fetchFor, stdio)
  const client = new Client(
    { name: 'automcp', version },
    { capabilities: upstreamCapabilities, jsonSchemaValidator: sharedSchemaValidator },
  )
  const session = sessionOf(target, client, transport, seen)
  if (fetchFor !== fetchFn) session.oauth = true
  // The SDK negotiates the version and hands the result to the transport: keep a copy for the record.
  const setVersion = transport.setProtocolVersion?.bind(transport)
  transport.setProtocolVersion = (v: string) => {
    session.protocolVersion = v
    setVersion?.(v)
  }
  listenTo(client, session, target.id, hooks)
  watch(session, hooks)
  if (transport instanceof SSEClientTransport) streamNamesEndpoint(transport, seen)
  try {
    await client.connect(transport, { signal })
    dispatchByShape(client as never, transport)
  } catch (e) {
    await client.close().catch(() => {})
    // A child that exited during the handshake: its exit says more than "connection closed".
    throw new SessionError((target.transport === 'stdio' && stdio?.downOf(target.id)) || e, seen)
  }
  seen.reachedMcp = true
  return session
}

/**
 * A streamable HTTP session the MCP thread opened: its id, the protocol version it agreed, and what its
 * client learnt of the tools (their output schemas and task support: ./lists.ts `toolMetadata`).
 */
export type Lent = { sessionId: string; protocolVersion: string; tools: ToolMetadata[] }

let joins = 0

/**
 * A second client on a session another client opened (./near-pool.ts): the same `Mcp-Session-Id`, so the
 * server sees one session, with no handshake and no GET stream of its own (the SDK's `Client` skips
 * `initialize` on a transport that has a session id). Closing it leaves the session open on the server.
 */
export async function joinSession(
  target: HttpTarget,
  lent: Lent,
  { fetch: fetchFn, hooks }: { fetch?: FetchLike; hooks: UpstreamHooks },
): Promise<Session> {
  const transport = createTransport(target, fetchFn, () => {}, lent.sessionId)
  transport.setProtocolVersion?.(lent.protocolVersion)
  const client = new Client(
    { name: 'automcp', version },
    { capabilities: upstreamCapabilities, jsonSchemaValidator: sharedSchemaValidator },
  )
  // Request ids are the session's, not one client's: the MCP thread's client counts from 0, so this one
  // counts from 2^30, each joined client in a range of 2^20 of its own (the SDK's counter, private in its
  // types; one joined client per session at a time, so one that runs past its range harms nobody). They
  // stay below 2^31, for servers that keep ids in 32 bits, but for a client past a million calls in the
  // last range; and the id 0 is never used, as the SDK's servers ignore a cancellation of request 0.
  ;(client as unknown as { _requestMessageId: number })._requestMessageId =
    2 ** 30 + (joins++ % 2 ** 10) * 2 ** 20
  learnTools(client, lent.tools)
  const session = sessionOf(target, client, transport, { reachedMcp: true })
  session.protocolVersion = lent.protocolVersion
  listenTo(client, session, target.id, hooks)
  watch(session)
  await client.connect(transport)
  dispatchByShape(client as never, transport)
  return session
}

/**
 * What the MCP thread's client learnt from `tools/list`, taught to a joined one: it checks a call's
 * structured result against the tool's output schema, and refuses a tool that needs a task, as that one
 * does (the SDK's cache, private in its types).
 */
export function learnTools(client: Client, tools: ToolMetadata[]) {
  const sdk = client as unknown as { cacheToolMetadata?(tools: ToolMetadata[]): void }
  // Should the SDK rename it, calls go unchecked here rather than fail (the gateway's clients check too).
  if (typeof sdk.cacheToolMetadata === 'function') sdk.cacheToolMetadata(tools)
}

function sessionOf(target: McpTarget, client: Client, transport: McpTransport, seen: Seen): Session {
  return {
    key: sessionKey(target),
    client,
    transport,
    listsAt: 0,
    closed: false,
    seen,
    asking: new Set(),
    serverId: target.id,
  }
}

/**
 * Marks the session closed when its client closes (and says so), and closes it when its stream is lost.
 * When a server dies in the middle of a streamed answer, the SDK tries to resume the stream, then only
 * reports that it gave up: the request would wait for its timeout (30 s for a tool call). Closing the
 * session fails whatever waits on it now; the next check or call opens a new one. An SSE stream that
 * breaks (SseError) is a lost session too: the SDK's EventSource would reopen it by itself and go on
 * without `initialize`, with a server that may have restarted with other tools.
 */
function watch(session: Session, hooks?: UpstreamHooks) {
  const { client } = session
  client.onclose = () => {
    session.closed = true
    hooks?.closed?.(session)
  }
  client.onerror = (e) => {
    if (/Maximum reconnection attempts/.test(e.message) || e instanceof SseError)
      void client.close().catch(() => {})
  }
}

/** The server's notifications and requests: lists marked stale, the rest passed to the gateway's hooks. */
function listenTo(client: Client, session: Session, serverId: string, hooks?: UpstreamHooks) {
  const stale = (list: 'tools' | 'resources' | 'prompts') => () => {
    session.listsAt = 0
    hooks?.notice(serverId, { type: 'list_changed', list }, session)
  }
  client.setNotificationHandler(ToolListChangedNotificationSchema, stale('tools'))
  client.setNotificationHandler(ResourceListChangedNotificationSchema, stale('resources'))
  client.setNotificationHandler(PromptListChangedNotificationSchema, stale('prompts'))
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) =>
    hooks?.notice(serverId, { type: 'resource_updated', uri: n.params.uri }, session),
  )
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) =>
    hooks?.notice(serverId, { type: 'log', params: n.params }, session),
  )
  const ask = (method: string) => (req: { params: unknown }, extra: { signal: AbortSignal }) =>
    hooks
      ? hooks.ask(session, method, req.params as Record<string, unknown>, extra.signal)
      : Promise.resolve().then(() => answerAlone(method, req.params as Record<string, unknown>))
  client.setRequestHandler(CreateMessageRequestSchema, ask('sampling/createMessage') as never)
  client.setRequestHandler(ElicitRequestSchema, ask('elicitation/create') as never)
  client.setRequestHandler(ListRootsRequestSchema, ask('roots/list') as never)
}

/**
 * A network transport that tells `seen` of its failed responses, or a new child of a stdio server (the
 * supervisor refuses while it backs off).
 */
async function transportFor(
  target: McpTarget,
  seen: Seen,
  fetchFn?: FetchLike,
  stdio?: Pick<StdioSupervisor, 'spawn'>,
): Promise<McpTransport> {
  if (target.transport !== 'stdio')
    return createTransport(target, fetchFn, (failure) => {
      seen.http = failure
    })
  if (!stdio) throw new Error('stdio servers are not available here')
  return stdio.spawn(target)
}

/** Notes when the SSE stream names its endpoint: an MCP server is there, whatever its POSTs answer next. */
function streamNamesEndpoint(transport: SSEClientTransport, seen: Seen) {
  const start = transport.start.bind(transport)
  transport.start = async () => {
    await start()
    seen.reachedMcp = true
  }
}

/** Ends the session on the server (where the transport can) and here. */
export async function shutSession(s: Session): Promise<void> {
  s.closed = true
  // A server that stopped answering must not hold up removal or shutdown.
  const deadline = AbortSignal.timeout(2_000)
  await Promise.race([terminate(s.transport).catch(() => {}), aborted(deadline)])
  await Promise.race([s.client.close().catch(() => {}), aborted(deadline)])
}

const aborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()))

/** A `ping` over the session, in ms. */
export async function timedPing(s: Session, signal: AbortSignal): Promise<number> {
  const started = performance.now()
  await s.client.ping({ signal })
  return performance.now() - started
}
