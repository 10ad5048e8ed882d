// What the API thread (./remote.ts) and the MCP thread (./worker.ts) say to each other.
import type { GuardSettings } from '../../shared/ssrf'
import type { ToolMetadata } from './lists'
import type { Begun } from './oauth/flows'
import type { OAuthEvent } from './oauth/material'
import type { ProbeTarget } from './probe'
import type { ProcessEvent, StdioSettings } from './stdio/supervisor'
import type { HttpTarget, McpTarget } from './transports'
import type { AskingCall, Notice } from './upstream'

/** The thread's first message: how to check, what the SSRF guard allows, and the database to checkpoint. */
export type ThreadSettings = { slowMs: number; dbPath: string; guard: GuardSettings; stdio: StdioSettings }

/** Every later message: one operation, answered as `{ seq, result }`. */
export type McpRequest =
  | { op: 'probe'; seq: number; target: Omit<ProbeTarget, 'signal'> }
  | { op: 'close'; seq: number; serverId: string }
  | { op: 'closeAll'; seq: number }
  | { op: 'count'; seq: number }
  | { op: 'tools'; seq: number; target: McpTarget; timeoutMs: number }
  | {
      op: 'callTool'
      seq: number
      target: McpTarget
      name: string
      args: Record<string, unknown>
      timeoutMs: number
      /** A gateway call: the client that made it, and whether it wants progress. */
      gateway?: GatewayCall
    }
  | { op: 'lists'; seq: number; target: McpTarget; timeoutMs: number }
  /**
   * The server's live session (opened when needed, or anew when it is the one the server `forgotten`), for
   * the API thread's own calls (answered `Lent | null`).
   */
  | { op: 'lend'; seq: number; target: HttpTarget; timeoutMs: number; forgotten?: string }
  /** A list changed, as a call made on the API thread heard (the MCP thread lists the server again). */
  | { op: 'relist'; seq: number; serverId: string }
  | {
      op: 'request'
      seq: number
      target: McpTarget
      method: string
      params: Record<string, unknown>
      timeoutMs: number
    }
  | { op: 'answerClient'; seq: number; ask: number; result?: unknown; error?: RpcError }
  | { op: 'abortCall'; seq: number; call: number }
  | { op: 'logs'; seq: number; serverId: string; limit: number }
  | ({ op: 'oauthBegin'; seq: number; target: HttpTarget; state: string } & OAuthUrls)
  | ({ op: 'oauthFinish'; seq: number; target: HttpTarget; begun: Pending; code: string } & OAuthUrls)
  | { op: 'oauthRevoke'; seq: number; target: HttpTarget }

/** AutoMCP's own OAuth addresses: the redirect URI, and its Client ID Metadata Document. */
export type OAuthUrls = { redirectUrl: string; clientIdUrl?: string }

/** An authorization begun, as the callback needs it: everything but the URL the user was sent to. */
export type Pending = Omit<Begun, 'authorizationUrl'>

/** The MCP client a gateway call comes from (its `call` is the request's seq), and if it wants progress. */
export type GatewayCall = { asking: Omit<AskingCall, 'call'>; progress: boolean }

/** A gateway call's link to its MCP client: who it is, its progress, and the requests servers make of it. */
export type GatewayCallLink = GatewayCall & {
  onProgress: (params: Record<string, unknown>) => void
  /** Passes the server's request to the client; rejects with an `RpcError`-like error when it cannot. */
  ask: (method: string, params: Record<string, unknown>) => Promise<unknown>
}

/** A JSON-RPC error as it crosses between the threads. */
export type RpcError = { code: number; message: string }

/**
 * What the thread says unasked: a stdio server's child started or ended; a server's OAuth changed; for the
 * gateway, a server's notification, a gateway call's progress, and a request a server makes of the client
 * of a gateway call (answered by `answerClient`); a session lent to the API thread ended, or its tools changed.
 */
export type ThreadEvent =
  | { event: ProcessEvent }
  | { oauth: OAuthEvent }
  | { notice: { serverId: string; notice: Notice } }
  | { progress: { call: number; params: Record<string, unknown> } }
  | { ask: Ask }
  | { ended: { serverId: string; sessionId: string; forgotten: boolean } }
  | { tools: { serverId: string; sessionId: string; tools: ToolMetadata[] } }

/**
 * A server's request of its client: for the client of gateway call `call`, or, on a session lent to the
 * API thread (whose calls are made there), for the API thread to choose whom to ask (`server`).
 */
export type Ask = { id: number; method: string; params: Record<string, unknown> } & (
  | { call: number }
  | { server: string }
)

/**
 * How an operation that failed comes back (an Error does not survive postMessage as itself); `code` when
 * the server answered with a JSON-RPC error.
 */
export type Failed = { failed: string; code?: number }
