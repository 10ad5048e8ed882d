import type { Client } from '@modelcontextprotocol/sdk/client/index.js'

/** A tool as the server lists it: what a model needs to call it. */
export type McpTool = { name: string; description?: string; inputSchema: Record<string, unknown> }

/** What a server offers: its tools in full, and how many resources and prompts. */
export type ServerLists = { tools: McpTool[]; resources: number; prompts: number }

// A server that keeps handing out cursors is not listed forever.
const maxPages = 20

/** Lists what the server's capabilities say it has, following cursors up to `maxPages` pages. */
export async function listAll(client: Client, signal: AbortSignal): Promise<ServerLists> {
  const caps = client.getServerCapabilities() ?? {}
  const tools: McpTool[] = []
  let resources = 0
  let prompts = 0
  if (caps.tools) {
    let cursor: string | undefined
    for (let page = 0; page < maxPages; page++) {
      const res = await client.listTools(cursor ? { cursor } : undefined, { signal })
      for (const t of res.tools)
        tools.push({ name: t.name, description: t.description, inputSchema: t.inputSchema })
      cursor = res.nextCursor
      if (!cursor) break
    }
  }
  if (caps.resources)
    resources = await countPages((cursor) => client.listResources(cursor, { signal }), 'resources')
  if (caps.prompts) prompts = await countPages((cursor) => client.listPrompts(cursor, { signal }), 'prompts')
  return { tools, resources, prompts }
}

async function countPages<K extends string>(
  list: (params?: { cursor: string }) => Promise<Record<K, unknown[]> & { nextCursor?: string }>,
  key: K,
): Promise<number> {
  let count = 0
  let cursor: string | undefined
  for (let page = 0; page < maxPages; page++) {
    const res = await list(cursor ? { cursor } : undefined)
    count += res[key].length
    cursor = res.nextCursor
    if (!cursor) break
  }
  return count
}
