// The SDK side of a gateway session: one low-level MCP `Server` per client session, answering from the
// endpoint's offer and forwarding to the servers through the session's context. Loaded on the first
// request to `/mcp` or `/sse`, so that start-up never evaluates the SDK's server.
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { Protocol, type RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import { UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js'
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  CreateMessageResultSchema,
  ElicitResultSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListRootsResultSchema,
  ListToolsRequestSchema,
  type LoggingLevel,
  McpError,
  ReadResourceRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js'
import { version } from '../../version'
import type { ClientCaps } from '../mcp'
import { dispatchByShape } from '../mcp/dispatch'
import { sharedSchemaValidator } from '../mcp/schema-validator'
import { answerDiscovery, discoveryTools } from './discovery-bridge'
import type { Offer } from './offer'
import type { Offers, SessionContext } from './types'

export { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js'

type Extra = RequestHandlerExtra<never, never>

/**
 * What the session advertises: tools and logging always, prompts, resources and completions when a
 * server of the endpoint offers them. Capabilities are fixed when a client connects while servers come
 * and go, so every list may change.
 */
function capabilitiesOf(offers: Offers) {
  return {
    tools: { listChanged: true },
    logging: {},
    ...(offers.prompts ? { prompts: { listChanged: true } } : {}),
    ...(offers.resources ? { resources: { listChanged: true, subscribe: true } } : {}),
    ...(offers.completions ? { completions: {} } : {}),
  }
}

/** A gateway session's MCP server, connected to `transport`. */
export async function createGatewayServer(ctx: SessionContext, transport: Transport) {
  const caps = capabilitiesOf(ctx.offers())
  const server = new Server(
    { name: 'automcp', version, title: 'AutoMCP' },
    {
      capabilities: caps,
      jsonSchemaValidator: sharedSchemaValidator,
      instructions:
        'AutoMCP serves the tools, prompts and resources of the MCP servers that are healthy now; tool names are <server>__<tool> unless the toolset keeps the original names.',
    },
  )
  server.oninitialized = () => ctx.initialized(capsOf(server.getClientCapabilities()))
  const offered = ctx.offer
  server.setRequestHandler(ListToolsRequestSchema, async () => {
    const offer = await offered()
    return { tools: ctx.discovery(offer) ? discoveryTools : offer.tools } as never
  })
  // Installed as the base Protocol installs any handler (the request checked once against its schema):
  // the Server's own wrapper for tools/call would check the request a second time and the result again,
  // a result that is the upstream's, already checked by AutoMCP's SDK client (on either thread), or ours.
  Protocol.prototype.setRequestHandler.call(server, CallToolRequestSchema, (req, extra) =>
    callTool(ctx, server, req.params, extra as Extra),
  )
  if (caps.prompts) handlePrompts(server, ctx)
  if (caps.resources) handleResources(server, ctx)
  if (caps.completions) handleCompletions(server, ctx)
  await server.connect(transport)
  dispatchByShape(server as never, transport)
  return server
}

/** Prompts under the names the endpoint gives them, each fetched from its own server. */
function handlePrompts(server: Server, ctx: SessionContext) {
  server.setRequestHandler(
    ListPromptsRequestSchema,
    async () => ({ prompts: (await ctx.offer()).prompts }) as never,
  )
  server.setRequestHandler(GetPromptRequestSchema, async (req, extra) => {
    const route = (await ctx.offer()).promptRoutes.get(req.params.name)
    if (!route) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${req.params.name}`)
    const params = { ...req.params, name: route.name }
    return (await ctx.request(route.serverId, 'prompts/get', params, extra.signal)) as never
  })
}

/** Resources and templates under their own URIs, routed to the server that claims each. */
function handleResources(server: Server, ctx: SessionContext) {
  server.setRequestHandler(
    ListResourcesRequestSchema,
    async () => ({ resources: (await ctx.offer()).resources }) as never,
  )
  server.setRequestHandler(
    ListResourceTemplatesRequestSchema,
    async () => ({ resourceTemplates: (await ctx.offer()).templates }) as never,
  )
  server.setRequestHandler(ReadResourceRequestSchema, async (req, extra) => {
    const serverId = serverOfUri(await ctx.offer(), req.params.uri)
    return (await ctx.request(serverId, 'resources/read', req.params, extra.signal)) as never
  })
  server.setRequestHandler(SubscribeRequestSchema, async (req) => {
    await ctx.subscribe(req.params.uri, serverOfUri(await ctx.offer(), req.params.uri))
    return {}
  })
  server.setRequestHandler(UnsubscribeRequestSchema, async (req) => {
    await ctx.unsubscribe(req.params.uri)
    return {}
  })
}

/** Completions of a prompt's or a template's arguments, by the server that offers it. */
function handleCompletions(server: Server, ctx: SessionContext) {
  server.setRequestHandler(CompleteRequestSchema, async (req, extra) => {
    const target = completionTarget(
      await ctx.offer(),
      req.params.ref as { type: string; name?: string; uri?: string },
    )
    if (!target) return { completion: { values: [] } }
    const params = { ...req.params, ref: target.ref }
    return (await ctx.request(target.serverId, 'completion/complete', params, extra.signal)) as never
  })
}

/** Whether a log line at `level` goes to this session (its client's `logging/setLevel`). */
export const wantsLog = (server: Server, level: LoggingLevel, sessionId: string) =>
  !(server as unknown as { isMessageIgnored(l: LoggingLevel, s: string): boolean }).isMessageIgnored(
    level,
    sessionId,
  )

function capsOf(caps: ReturnType<Server['getClientCapabilities']>): ClientCaps {
  const elicitation = caps?.elicitation as { form?: object; url?: object } | undefined
  return {
    sampling: caps?.sampling !== undefined,
    // `elicitation: {}` (before modes were added) means form mode.
    elicitForm:
      elicitation !== undefined && (elicitation.form !== undefined || elicitation.url === undefined),
    elicitUrl: elicitation?.url !== undefined,
    roots: caps?.roots !== undefined,
  }
}

const resultSchemas: Record<
  string,
  typeof ElicitResultSchema | typeof CreateMessageResultSchema | typeof ListRootsResultSchema
> = {
  'elicitation/create': ElicitResultSchema,
  'sampling/createMessage': CreateMessageResultSchema,
  'roots/list': ListRootsResultSchema,
}

/**
 * `tools/call`: the server's tool through the catalog (timed, recorded as a gateway call), with its
 * progress, and the server's requests of its client, passed on to this client on the call's own stream.
 * An unknown tool is a tool error, as the SDK's own servers answer it.
 */
async function callTool(
  ctx: SessionContext,
  server: Server,
  params: { name: string; arguments?: Record<string, unknown>; _meta?: { progressToken?: string | number } },
  extra: Extra,
) {
  const offer = await ctx.offer()
  const args = params.arguments ?? {}
  if (ctx.discovery(offer)) {
    const answered = await answerDiscovery(offer, params.name, args, (route, a) => call(route, a))
    if (answered) return answered as never
  }
  const route = offer.toolRoutes.get(params.name)
  if (!route)
    return { isError: true, content: [{ type: 'text', text: `Unknown tool: ${params.name}` }] } as never
  return (await call(route, args)) as never

  async function call(
    route: { serverId: string; serverName: string; name: string },
    a: Record<string, unknown>,
  ) {
    const token = params._meta?.progressToken
    // A request the server made of the client ends with the call (its timeout included), not 60 s
    // later. Its signal is made only when the server asks something: most calls ask nothing.
    let ended: AbortController | undefined
    let asked: AbortSignal | undefined
    const askedSignal = () => {
      ended ??= new AbortController()
      asked ??= AbortSignal.any([extra.signal, ended.signal])
      return asked
    }
    try {
      return await ctx.callTool(route, a, extra.signal, {
        caps: capsOf(server.getClientCapabilities()),
        progress: token !== undefined,
        onProgress: (p) =>
          void extra
            .sendNotification({
              method: 'notifications/progress',
              params: { ...p, progressToken: token },
            } as never)
            .catch(() => {}),
        ask: (method, p) => {
          const schema = resultSchemas[method]
          if (!schema)
            return Promise.reject(new McpError(ErrorCode.MethodNotFound, `${method} is not passed on`))
          return extra.sendRequest({ method, params: p } as never, schema as never, {
            signal: askedSignal(),
            timeout: 2 ** 31 - 1,
          })
        },
      })
    } finally {
      ended?.abort()
    }
  }
}

/** The server a URI belongs to: a listed resource's, else the first template (oldest server) it fits. */
function serverOfUri(offer: Offer, uri: string): string {
  const listed = offer.resourceRoutes.get(uri)
  if (listed) return listed
  for (const t of offer.templateRoutes) if (matches(t.uriTemplate, uri)) return t.serverId
  // One server offers resources: it may have resources it does not list.
  const withResources = [...offer.servers.values()].filter(
    (s) => s.lists.resources.length > 0 || s.lists.templates.length > 0,
  )
  if (withResources.length === 1 && withResources[0]) return withResources[0].id
  throw new McpError(-32002, `Resource not found: ${uri}`, { uri })
}

function matches(template: string, uri: string) {
  try {
    return new UriTemplate(template).match(uri) !== null
  } catch {
    return false
  }
}

/** Where `completion/complete` goes: the prompt's server (under its own name) or the template's. */
function completionTarget(offer: Offer, ref: { type: string; name?: string; uri?: string }) {
  if (ref.type === 'ref/prompt' && ref.name) {
    const route = offer.promptRoutes.get(ref.name)
    return route && { serverId: route.serverId, ref: { ...ref, name: route.name } }
  }
  if (ref.type === 'ref/resource' && ref.uri) {
    const t = offer.templateRoutes.find((r) => r.uriTemplate === ref.uri)
    return t && { serverId: t.serverId, ref }
  }
  return undefined
}

export { WebSseServerTransport } from './sse-transport'
export { WebStreamableServerTransport } from './streamable-transport'
