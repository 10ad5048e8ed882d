// Discovery mode on the gateway: `search_tools` and `call_tool` over the endpoint's offer.
// (Temporary until the discovery index lands: search_tools matches names only.)
import type { Offer, Route } from './offer'

export const discoveryTools = [
  {
    name: 'search_tools',
    description: 'Search the tools',
    inputSchema: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
  },
  {
    name: 'call_tool',
    description: 'Call a tool',
    inputSchema: {
      type: 'object',
      properties: { name: { type: 'string' }, arguments: { type: 'object' } },
      required: ['name'],
    },
  },
]

export async function answerDiscovery(
  offer: Offer,
  name: string,
  args: Record<string, unknown>,
  call: (route: Route, args: Record<string, unknown>) => Promise<unknown>,
): Promise<unknown | undefined> {
  if (name === 'search_tools') {
    const q = String(args.query ?? '')
    const found = offer.tools.filter((t) => t.name.includes(q))
    return { content: [{ type: 'text', text: JSON.stringify(found) }] }
  }
  if (name === 'call_tool') {
    const route = offer.toolRoutes.get(String(args.name))
    if (!route)
      return { isError: true, content: [{ type: 'text', text: `Unknown tool: ${String(args.name)}` }] }
    return call(route, (args.arguments as Record<string, unknown>) ?? {})
  }
  return undefined
}
