import type { ClientCaps, GatewayCallLink } from '../mcp'
import type { Offer, Route } from './offer'

/** A tool call's result as an MCP client receives it. */
export type CallResult = {
  content: unknown[]
  isError?: boolean
  structuredContent?: unknown
  _meta?: Record<string, unknown>
}

/** Which optional capabilities the endpoint's servers offer (known when a client connects). */
export type Offers = { prompts: boolean; resources: boolean; completions: boolean }

/** What one gateway session's MCP server needs of the rest of AutoMCP (SDK-free, so it loads lazily). */
export type SessionContext = {
  /** The session's id and the API key (or client) that opened it. */
  readonly id: string
  /** What the endpoint offers now. */
  offer(): Promise<Offer>
  /** What its servers can do, from their last checks: the capabilities the session advertises. */
  offers(): Offers
  /** Whether `tools/list` offers only `search_tools` and `call_tool`. */
  discovery(offer: Offer): boolean
  /** A tool on its server, recorded as a gateway call. */
  callTool(
    route: Route,
    args: Record<string, unknown>,
    signal: AbortSignal,
    link: Omit<GatewayCallLink, 'asking'> & { caps: ClientCaps },
  ): Promise<CallResult>
  /** Another request to one server, its result as the server gave it. */
  request(
    serverId: string,
    method: string,
    params: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>>
  subscribe(uri: string, serverId: string): Promise<void>
  unsubscribe(uri: string): Promise<void>
  /** What the session's client said it can do, once it initialised. */
  initialized(caps: ClientCaps): void
}
