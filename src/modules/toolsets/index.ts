import { Elysia, t } from 'elysia'
import { authErrors, ErrorModel } from '../../shared/model'
import { accessMacro } from '../auth'
import { ToolsetModel } from './model'
import type { ToolsetService } from './service'

/** Toolsets: named selections of servers and tools, each served by the gateway at /mcp/<name>. */
export const toolsetsController = (service: ToolsetService) =>
  new Elysia({ name: 'toolsets', prefix: '/toolsets', detail: { tags: ['toolsets'] } })
    .use(accessMacro)
    .get('', () => service.list(), {
      access: 'read',
      response: { ...authErrors, 200: t.Array(ToolsetModel.info) },
      detail: { summary: 'List toolsets', description: 'By name.' },
    })
    .post(
      '',
      async ({ body, set }) => {
        const created = await service.create(body)
        set.status = 201
        return created
      },
      {
        access: 'admin',
        parse: 'json',
        body: ToolsetModel.create,
        response: { ...authErrors, 201: ToolsetModel.info, 409: ErrorModel, 422: ErrorModel },
        detail: {
          summary: 'Create a toolset',
          description:
            'A server is in the toolset when `servers` is absent or lists it AND `tags` is absent or it has one of them; then `tools`, when given, keeps only the tools it names (by their own or their prefixed name). 409 `toolset_exists`, 409 `tool_name_collision` (`prefix: false` over servers sharing a tool name), 422 `unknown_server`, 422 `toolset_name_reserved` (`sse`, `message`).',
        },
      },
    )
    .get('/:name', ({ params }) => service.get(params.name), {
      access: 'read',
      params: ToolsetModel.params,
      response: { ...authErrors, 200: ToolsetModel.info, 404: ErrorModel },
      detail: { summary: 'Get a toolset' },
    })
    .patch('/:name', ({ params, body }) => service.patch(params.name, body), {
      access: 'admin',
      params: ToolsetModel.params,
      parse: 'json',
      body: ToolsetModel.patch,
      response: { ...authErrors, 200: ToolsetModel.info, 404: ErrorModel, 409: ErrorModel, 422: ErrorModel },
      detail: {
        summary: 'Change a toolset',
        description:
          'Fields left out keep their values; null widens `servers`, `tags` or `tools` to everything. The name cannot change. 409 `tool_name_collision`, 422 `unknown_server`.',
      },
    })
    .delete(
      '/:name',
      ({ params, set }) => {
        service.remove(params.name)
        set.status = 204
      },
      {
        access: 'admin',
        params: ToolsetModel.params,
        response: { ...authErrors, 204: t.Void(), 404: ErrorModel, 409: ErrorModel },
        detail: {
          summary: 'Delete a toolset',
          description: '409 `toolset_in_use` while live API keys are limited to it: revoke them first.',
        },
      },
    )
