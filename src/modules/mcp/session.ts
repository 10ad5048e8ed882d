import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { SSEClientTransport, SseError } from '@modelcontextprotocol/sdk/client/sse.js'
import {
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js'
import type { FetchLike } from '../../shared/guarded-fetch'
import { version } from '../../version'
import type { ServerLists } from './lists'
import { type Seen, SessionError } from './outcome'
import { sharedSchemaValidator } from './schema-validator'
import type { StdioSupervisor } from './stdio/supervisor'
import { createTransport, type HttpTarget, type McpTarget, type McpTransport, terminate } from './transports'

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
  }: {
    fetch?: FetchLike
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
    { capabilities: {}, jsonSchemaValidator: sharedSchemaValidator },
  )
  const session: Session = { key: sessionKey(target), client, transport, listsAt: 0, closed: false, seen }
  // The SDK negotiates the version and hands the result to the transport: keep a copy for the record.
  const setVersion = transport.setProtocolVersion?.bind(transport)
  transport.setProtocolVersion = (v: string) => {
    session.protocolVersion = v
    setVersion?.(v)
  }
  const stale = () => {
    session.listsAt = 0
  }
  client.setNotificationHandler(ToolListChangedNotificationSchema, stale)
  client.setNotificationHandler(ResourceListChangedNotificationSchema, stale)
  client.setNotificationHandler(PromptListChangedNotificationSchema, stale)
  client.onclose = () => {
    session.closed = true
  }
  // When a server dies in the middle of a streamed answer, the SDK tries to resume the stream, then
  // only reports that it gave up: the request would wait for its timeout (30 s for a tool call).
  // Closing the session fails whatever waits on it now; the next check or call opens a new one.
  // An SSE stream that breaks (SseError) is a lost session too: the SDK's EventSource would reopen it by
  // itself and go on without `initialize`, with a server that may have restarted with other tools.
  client.onerror = (e) => {
    if (/Maximum reconnection attempts/.test(e.message) || e instanceof SseError)
      void client.close().catch(() => {})
  }
  if (transport instanceof SSEClientTransport) streamNamesEndpoint(transport, seen)
  try {
    await client.connect(transport, { signal })
  } catch (e) {
    await client.close().catch(() => {})
    // A child that exited during the handshake: its exit says more than "connection closed".
    throw new SessionError((target.transport === 'stdio' && stdio?.downOf(target.id)) || e, seen)
  }
  seen.reachedMcp = true
  return session
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
