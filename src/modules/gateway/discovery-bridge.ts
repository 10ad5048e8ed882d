// Discovery mode on the gateway: `search_tools` over the endpoint's offer (an index built once per
// offer) and `call_tool` to the tool found, by the name the endpoint gives it.
import {
  answerSearch,
  callToolName,
  discoveryError,
  discoveryTools,
  parseCallTool,
  searchToolsName,
} from '../tools/discovery'
import { createToolIndex, type SearchEntry, type ToolIndex } from '../tools/search'
import type { Offer, Route } from './offer'

export { discoveryTools }

const indexes = new WeakMap<Offer, ToolIndex<SearchEntry>>()

function indexOf(offer: Offer): ToolIndex<SearchEntry> {
  let index = indexes.get(offer)
  if (!index) {
    index = createToolIndex(
      offer.tools.map((tool) => {
        const route = offer.toolRoutes.get(tool.name)
        const server = route && offer.servers.get(route.serverId)
        return {
          name: tool.name,
          description: tool.description,
          serverName: route?.serverName ?? '',
          inputSchema: tool.inputSchema,
          healthy: server?.healthy ?? false,
          latencyMs: server?.latencyMs ?? null,
        }
      }),
    )
    indexes.set(offer, index)
  }
  return index
}

/**
 * The answer to a discovery tool, or undefined when `name` is not one (a client may still call a tool it
 * found by its own name).
 */
export async function answerDiscovery(
  offer: Offer,
  name: string,
  args: Record<string, unknown>,
  call: (route: Route, args: Record<string, unknown>) => Promise<unknown>,
): Promise<unknown> {
  if (name === searchToolsName) return answerSearch(indexOf(offer), args)
  if (name !== callToolName) return undefined
  const parsed = parseCallTool(args)
  if ('error' in parsed) return discoveryError(parsed.error)
  const route = offer.toolRoutes.get(parsed.name)
  if (!route) return discoveryError(`Unknown tool: ${parsed.name}. Find tools with ${searchToolsName}.`)
  return call(route, parsed.arguments)
}
