import { Elysia } from 'elysia'
import { HttpError } from '../../shared/errors'
import { authErrors, ErrorModel } from '../../shared/model'
import { accessMacro } from '../auth'
import { ServerModel } from '../servers/model'
import { type ToolCatalog, UnknownServers } from './catalog'
import type { DirectTools } from './direct'
import { DirectToolsModel, ToolsModel } from './model'

// What the direct routes may answer besides their result: no server, no tool, not MCP, a bad request,
// and a server that could not be reached (502) or did not answer in time (504).
const directErrors = {
  ...authErrors,
  404: ErrorModel,
  409: ErrorModel,
  422: ErrorModel,
  502: ErrorModel,
  504: ErrorModel,
}

/**
 * `GET /tools`: what a chat with `tools: "auto"` would offer the model right now; and one server's tools,
 * listed and called directly (`/servers/{id}/tools`).
 */
export const toolsController = (catalog: Pick<ToolCatalog, 'select'>, direct: DirectTools) =>
  new Elysia({ name: 'tools', detail: { tags: ['chat'] } })
    .use(accessMacro)
    .get(
      '/tools',
      async ({ query }) => {
        const servers = query.servers
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean)
        try {
          const set = await catalog.select({ tools: 'auto', ...(servers?.length ? { servers } : {}) })
          return {
            data: set.entries.map((e) => ({
              name: e.name,
              server_id: e.serverId,
              server_name: e.serverName,
              tool: e.tool,
              description: e.description ?? null,
              input_schema: e.inputSchema,
            })),
          }
        } catch (e) {
          if (e instanceof UnknownServers) throw new HttpError(404, 'server_not_found', e.message)
          throw e
        }
      },
      {
        query: ToolsModel.query,
        access: 'read',
        response: { ...authErrors, 200: ToolsModel.list, 404: ErrorModel, 422: ErrorModel },
        detail: {
          summary: 'The MCP tools a chat may use',
          description:
            'Every tool of every healthy (or degraded) registered MCP server, read from its live session, under the function name the model sees. Chats select them with `tools` ("auto" or names) and `servers`.',
        },
      },
    )
    .get(
      '/servers/:id/tools',
      ({ params, request, server }) => {
        // The tool timeout bounds the wait, which may be longer than Bun's idle timeout.
        server?.timeout(request, 0)
        return direct.list(params.id, request.signal)
      },
      {
        access: 'read',
        params: ServerModel.params,
        response: { ...directErrors, 200: DirectToolsModel.list },
        detail: {
          tags: ['tools'],
          summary: "A server's tools, with their input schemas",
          description:
            'Every tool the server lists, from its live MCP session (opened if needed), whatever its status, under its own MCP name. 404 `server_not_found`; 409 `not_an_mcp_server` (transport `http`) or `auth_required` (the server refused the credentials: authorize it); 502 `server_unreachable` or `mcp_error` (the reason in `detail`); 504 `server_timeout` (AUTOMCP_TOOL_TIMEOUT).',
        },
      },
    )
    .post(
      '/servers/:id/tools/:name/call',
      ({ params, body, request, server }) => {
        server?.timeout(request, 0)
        return direct.call(params.id, params.name, body.arguments ?? {}, request.signal)
      },
      {
        access: 'admin',
        parse: 'json',
        params: DirectToolsModel.callParams,
        body: DirectToolsModel.callBody,
        response: { ...directErrors, 200: DirectToolsModel.callResult },
        detail: {
          tags: ['tools'],
          summary: 'Call one tool of a server (MCP tools/call)',
          description:
            "Calls the tool over the server's live MCP session within AUTOMCP_TOOL_TIMEOUT and answers its result; a tool that reports an error is a 200 with `is_error: true`. The call is recorded (`source` direct) and counted by `/servers/{id}/stats`. 404 `server_not_found` or `tool_not_found` (not in the server's list); 409 `not_an_mcp_server` or `auth_required`; 422 `validation_error` (`arguments` not an object); 502 `server_unreachable` or `mcp_error`; 504 `server_timeout`.",
        },
      },
    )
