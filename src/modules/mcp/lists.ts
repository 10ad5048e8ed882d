import type { Client } from '@modelcontextprotocol/sdk/client/index.js'

/** A tool as the server lists it: what a model needs to call it (the rest of its fields go along). */
export type McpTool = {
  name: string
  description?: string
  inputSchema: Record<string, unknown>
  [field: string]: unknown
}
/** What a client learns of a tool beyond its name: its output schema and whether it runs as a task. */
export type ToolMetadata = { name: string; outputSchema?: unknown; execution?: unknown }

/** The tools' metadata a client checks calls against: only the tools that have any. */
export const toolMetadata = (tools: McpTool[]): ToolMetadata[] =>
  tools.flatMap(({ name, outputSchema, execution }) =>
    outputSchema === undefined && execution === undefined ? [] : [{ name, outputSchema, execution }],
  )

/** A resource, a resource template or a prompt as the server lists it (`uri`, `uriTemplate` or `name`). */
export type McpResource = { uri: string; name: string; [field: string]: unknown }
export type McpTemplate = { uriTemplate: string; name: string; [field: string]: unknown }
export type McpPrompt = { name: string; [field: string]: unknown }

/** What a server offers, in full: the gateway serves these, a check reports how many. */
export type ServerLists = {
  tools: McpTool[]
  resources: McpResource[]
  templates: McpTemplate[]
  prompts: McpPrompt[]
}

export const emptyLists = (): ServerLists => ({ tools: [], resources: [], templates: [], prompts: [] })

// A server that keeps handing out cursors is not listed forever.
const maxPages = 20

/** Lists what the server's capabilities say it has, following cursors up to `maxPages` pages. */
export async function listAll(client: Client, signal: AbortSignal): Promise<ServerLists> {
  const caps = client.getServerCapabilities() ?? {}
  const lists = emptyLists()
  const options = { signal }
  if (caps.tools) lists.tools = await pages((c) => client.listTools(c, options), 'tools')
  if (caps.resources) {
    lists.resources = await pages((c) => client.listResources(c, options), 'resources')
    // Templates are optional within `resources`: a server without them may answer "method not found".
    lists.templates = await pages<'resourceTemplates', McpTemplate>(
      (c) => client.listResourceTemplates(c, options),
      'resourceTemplates',
    ).catch((): McpTemplate[] => [])
  }
  if (caps.prompts) lists.prompts = await pages((c) => client.listPrompts(c, options), 'prompts')
  return lists
}

async function pages<K extends string, T>(
  list: (params?: { cursor: string }) => Promise<Record<K, T[]> & { nextCursor?: string }>,
  key: K,
): Promise<T[]> {
  const all: T[] = []
  let cursor: string | undefined
  for (let page = 0; page < maxPages; page++) {
    const res = await list(cursor ? { cursor } : undefined)
    all.push(...res[key])
    cursor = res.nextCursor
    if (!cursor) break
  }
  return all
}
