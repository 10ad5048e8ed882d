import { Elysia, t } from 'elysia'
import { authErrors, ErrorModel } from '../../shared/model'
import { accessMacro, clientOf } from '../auth'
import type { GatewayHttp } from './http'

// The MCP transport's own answers: JSON-RPC, or an SSE stream of JSON-RPC messages.
const response = {
  ...authErrors,
  200: t.Any({ description: 'A JSON-RPC response, or an SSE stream of JSON-RPC messages' }),
  202: t.Any({ description: 'A notification or response accepted' }),
  400: t.Object(ErrorModel.properties, { description: 'No session id, or not JSON-RPC' }),
  404: t.Object(ErrorModel.properties, { description: 'No such session or toolset' }),
}

const toolsetParams = t.Object({ toolset: t.String({ description: 'A toolset name' }) })

const streamableDoc = (what: string) => ({
  tags: ['gateway'],
  summary: `MCP over streamable HTTP: ${what}`,
  description:
    "The MCP endpoint (protocol 2025-11-25; older revisions negotiated). POST `initialize` opens a session (`Mcp-Session-Id` in the answer); later POSTs carry JSON-RPC requests, GET opens the stream of server messages, DELETE ends the session. Serves the tools (`<server>__<tool>`), prompts, resources and templates of every healthy server (or a toolset's). Sessions belong to the key that opened them. 401 without a key (`WWW-Authenticate: Bearer`), 403 `host_not_allowed` (DNS rebinding), 404 `session_not_found`, 429 `too_many_sessions`.",
})

const sseDoc = {
  tags: ['gateway'],
  summary: 'MCP over the legacy HTTP+SSE transport (protocol 2024-11-05)',
  description:
    "GET opens a session's event stream; its first event (`endpoint`) names where to POST the JSON-RPC messages (`…/message?sessionId=`), answered 202 while replies arrive on the stream.",
}

/**
 * AutoMCP as an MCP server: `/mcp` (every healthy server) and `/mcp/{toolset}`, and the legacy `/sse`.
 * The handlers never read `body`: the MCP transport reads the request itself.
 */
export function gatewayController(http: GatewayHttp) {
  const mcp =
    (endpoint: (params: Record<string, string>) => string) =>
    ({ request, params, server }: { request: Request; params: Record<string, string>; server: unknown }) => {
      // A stream stays open as long as the client wants it (keep-alives are sent every 15 s).
      ;(server as { timeout?: (r: Request, s: number) => void } | null)?.timeout?.(request, 0)
      return http.streamable(request, clientOf(request), endpoint(params))
    }
  const whole = mcp(() => '')
  const toolset = mcp((p) => p.toolset ?? '')
  const common = { access: 'read' as const, parse: 'none' as const, response }
  const sse =
    (endpoint: string, post: string) =>
    ({ request, server }: { request: Request; server: unknown }) => {
      ;(server as { timeout?: (r: Request, s: number) => void } | null)?.timeout?.(request, 0)
      return http.sseStream(clientOf(request), endpoint, post)
    }
  return new Elysia({ name: 'gateway' })
    .use(accessMacro)
    .post('/mcp', whole, { ...common, detail: streamableDoc('every healthy server') })
    .get('/mcp', whole, { ...common, detail: streamableDoc('every healthy server') })
    .delete('/mcp', whole, { ...common, detail: streamableDoc('every healthy server') })
    .post('/mcp/:toolset', toolset, { ...common, params: toolsetParams, detail: streamableDoc('a toolset') })
    .get('/mcp/:toolset', toolset, { ...common, params: toolsetParams, detail: streamableDoc('a toolset') })
    .delete('/mcp/:toolset', toolset, {
      ...common,
      params: toolsetParams,
      detail: streamableDoc('a toolset'),
    })
    .get('/sse', sse('', '/sse/message'), { ...common, detail: sseDoc })
    .post('/sse/message', ({ request }) => http.ssePost(request, clientOf(request), ''), {
      ...common,
      detail: sseDoc,
    })
    .get(
      '/sse/:toolset',
      ({ request, params, server }) =>
        sse(params.toolset, `/sse/${params.toolset}/message`)({ request, server }),
      { ...common, params: toolsetParams, detail: sseDoc },
    )
    .post(
      '/sse/:toolset/message',
      ({ request, params }) => http.ssePost(request, clientOf(request), params.toolset),
      { ...common, params: toolsetParams, detail: sseDoc },
    )
}
