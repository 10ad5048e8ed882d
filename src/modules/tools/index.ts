import { Elysia } from 'elysia'
import { HttpError } from '../../shared/errors'
import { authErrors, ErrorModel } from '../../shared/model'
import { accessMacro } from '../auth'
import { type ToolCatalog, UnknownServers } from './catalog'
import { ToolsModel } from './model'

/** `GET /tools`: what a chat with `tools: "auto"` would offer the model right now. */
export const toolsController = (catalog: Pick<ToolCatalog, 'select'>) =>
  new Elysia({ name: 'tools', detail: { tags: ['chat'] } }).use(accessMacro).get(
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
