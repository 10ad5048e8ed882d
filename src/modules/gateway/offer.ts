// What one gateway endpoint offers (`/mcp`, or a toolset's `/mcp/{name}`): the tools, prompts, resources
// and templates of the servers it serves, under the names its clients see, and where each one goes. Pure:
// built from the servers' lists whenever they or the servers' health change, read by every request.
import type { McpPrompt, McpResource, McpTemplate, McpTool, ServerLists } from '../mcp'
import { assignNames } from '../tools/names'
import { selectsServer, selectsTool } from '../toolsets/selection'

/** A server the endpoint may offer, oldest first: the older of two that claim a name or URI keeps it. */
export type OfferedServer = {
  id: string
  name: string
  tags: readonly string[]
  healthy: boolean
  latencyMs: number | null
  lists: ServerLists
}

/** Which servers and tools an endpoint serves, and how it names them. */
export type Scope = {
  /** The toolset's name; null for `/mcp`. */
  name: string | null
  prefix: boolean
  /** A toolset served in discovery mode. */
  discovery?: boolean
  servers?: string[] | null
  tags?: string[] | null
  tools?: string[] | null
}

/** Where a tool or prompt the client names goes: its server and its own name there. */
export type Route = { serverId: string; serverName: string; name: string }

export type Offer = {
  /** The toolset asks for discovery mode (`/mcp` switches by its number of tools). */
  discovery: boolean
  tools: McpTool[]
  toolRoutes: Map<string, Route & { tool: McpTool }>
  prompts: McpPrompt[]
  promptRoutes: Map<string, Route>
  resources: McpResource[]
  resourceRoutes: Map<string, string>
  templates: McpTemplate[]
  /** Each template with its server, oldest server first: a URI no resource claims is matched in this order. */
  templateRoutes: { serverId: string; uriTemplate: string }[]
  /** The servers offered, by id (what a search ranks by, what a subscription is forwarded to). */
  servers: Map<string, OfferedServer>
  /** Names and URIs two servers claimed: served by the older one. */
  collisions: string[]
  /** Of those, the tool names. */
  toolCollisions: string[]
}

const scopeSelection = (scope: Scope) => ({
  servers: scope.servers ?? null,
  tags: scope.tags ?? null,
  tools: scope.tools ?? null,
})

/** The offer of `scope` over `servers` (oldest first). */
export function buildOffer(servers: readonly OfferedServer[], scope: Scope): Offer {
  const selection = scopeSelection(scope)
  const chosen = servers.filter((s) => selectsServer(selection, s))
  const toolCollisions: string[] = []
  const tools = named(chosen, (l) => l.tools.filter(callableHere), scope.prefix, toolCollisions).filter((t) =>
    selectsTool(selection, t.serverName, t.tool, t.name),
  )
  const collisions = [...toolCollisions]
  const prompts = named(chosen, (l) => l.prompts, scope.prefix, collisions)
  const resources = new Map<string, { serverId: string; resource: McpResource }>()
  const templates = new Map<string, { serverId: string; template: McpTemplate }>()
  for (const s of chosen) {
    for (const resource of s.lists.resources)
      claim(resources, resource.uri, { serverId: s.id, resource }, collisions)
    for (const template of s.lists.templates)
      claim(templates, template.uriTemplate, { serverId: s.id, template }, collisions)
  }
  return {
    discovery: scope.discovery === true,
    tools: tools.map((t) => withoutTasks({ ...t.original, name: t.name })),
    toolRoutes: new Map(tools.map((t) => [t.name, { ...route(t), tool: t.original }])),
    prompts: prompts.map((p) => ({ ...p.original, name: p.name })),
    promptRoutes: new Map(prompts.map((p) => [p.name, route(p)])),
    resources: [...resources.values()].map((r) => r.resource),
    resourceRoutes: new Map([...resources].map(([uri, r]) => [uri, r.serverId])),
    templates: [...templates.values()].map((t) => t.template),
    templateRoutes: [...templates].map(([uriTemplate, t]) => ({ serverId: t.serverId, uriTemplate })),
    servers: new Map(chosen.map((s) => [s.id, s])),
    collisions,
    toolCollisions,
  }
}

// The gateway runs no tasks (MCP's task-augmented calls): a tool that needs one cannot be called through it,
// and the others are offered as plain tools.
const callableHere = (t: McpTool) =>
  (t.execution as { taskSupport?: string } | undefined)?.taskSupport !== 'required'
const withoutTasks = ({ execution: _, ...tool }: McpTool): McpTool => tool

type Named<T> = { serverId: string; serverName: string; tool: string; original: T; name: string }

const route = <T>(n: Named<T>): Route => ({ serverId: n.serverId, serverName: n.serverName, name: n.tool })

/**
 * Tools or prompts under the names clients see: `<server>__<name>` as chats name tools, or, without a
 * prefix, the server's own names (the older server keeps a name two offer, and the collision is noted).
 */
function named<T extends { name: string }>(
  servers: readonly OfferedServer[],
  pick: (lists: ServerLists) => readonly T[],
  prefix: boolean,
  collisions: string[],
): Named<T>[] {
  const all = servers.flatMap((s) =>
    pick(s.lists).map((original) => ({ serverId: s.id, serverName: s.name, tool: original.name, original })),
  )
  if (prefix) return assignNames(all)
  const seen = new Map<string, Named<T>>()
  for (const t of all) claim(seen, t.tool, { ...t, name: t.tool }, collisions)
  return [...seen.values()]
}

function claim<T>(map: Map<string, T>, key: string, value: T, collisions: string[]) {
  if (!map.has(key)) map.set(key, value)
  else if (!collisions.includes(key)) collisions.push(key)
}

/** The lists' parts that a client is told changed: compared before and after a rebuild. */
export const offerParts = (offer: Offer) => ({
  tools: JSON.stringify([offer.discovery, offer.tools]),
  prompts: JSON.stringify(offer.prompts),
  resources: JSON.stringify([offer.resources, offer.templates]),
})
