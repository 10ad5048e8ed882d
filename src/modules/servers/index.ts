import { Elysia, t } from 'elysia'
import { authErrors, ErrorModel } from '../../shared/model'
import { accessMacro } from '../auth'
import { ServerModel } from './model'
import type { ServerService } from './service'

/** The registry: the seed's routes (`/servers/register`, `/servers`, `/servers/{id}/status`) plus CRUD. */
export const serversController = (service: ServerService) =>
  new Elysia({ name: 'servers', prefix: '/servers', detail: { tags: ['servers'] } })
    .use(accessMacro)
    .post(
      '/register',
      ({ body, set }) => {
        const { id, created } = service.register(body)
        set.status = created ? 201 : 200
        return { status: 'success' as const, server_id: id }
      },
      {
        access: 'admin',
        parse: 'json',
        body: ServerModel.register,
        response: {
          ...authErrors,
          200: ServerModel.registered,
          201: ServerModel.registered,
          422: ErrorModel,
        },
        detail: {
          summary: 'Register or replace a server',
          description:
            'Creates the server (201) or, when `id` exists, replaces its settings (200). Omitted settings return to their defaults; use PATCH to change some. A new `url`, `transport`, `headers` or program (`command`, `args`, `env`, `cwd`) resets the status to `unknown`. A stdio server (`transport: "stdio"`, `command`, `args`, `env`, `cwd`, no `url`) is a program AutoMCP starts and supervises; 422 `stdio_disabled` when this instance does not allow them, 422 `command_not_allowed` when AUTOMCP_STDIO_COMMANDS does not list the command.',
        },
      },
    )
    .get(
      '',
      ({ query, request }) => {
        const { bytes, etag } = service.listJson(query)
        if (request.headers.get('if-none-match') === etag)
          return new Response(null, { status: 304, headers: { etag } })
        return new Response(bytes, { headers: { 'content-type': 'application/json', etag } })
      },
      {
        access: 'read',
        query: ServerModel.listQuery,
        response: { ...authErrors, 200: t.Array(ServerModel.info), 422: ErrorModel },
        detail: {
          summary: 'List servers',
          description: 'Filter by `status` and/or `tag`. Supports `If-None-Match`.',
        },
      },
    )
    .get('/:id', ({ params }) => service.get(params.id), {
      access: 'read',
      params: ServerModel.params,
      response: { ...authErrors, 200: ServerModel.info, 404: ErrorModel },
      detail: { summary: 'Get a server' },
    })
    .get('/:id/status', ({ params }) => service.get(params.id), {
      access: 'read',
      params: ServerModel.params,
      response: { ...authErrors, 200: ServerModel.info, 404: ErrorModel },
      detail: {
        summary: 'Get the status of a server',
        description: 'The seed API route; same body as `GET /servers/{id}`.',
      },
    })
    .get('/:id/logs', ({ params, query }) => service.logs(params.id, query.limit ?? 100), {
      access: 'read',
      params: ServerModel.params,
      query: ServerModel.logsQuery,
      response: { ...authErrors, 200: ServerModel.logs, 404: ErrorModel, 409: ErrorModel, 422: ErrorModel },
      detail: {
        summary: "A stdio server's stderr",
        description:
          'The last lines its children wrote to stderr (AutoMCP keeps 1,000 lines or 256 KB per server), oldest first. 409 `not_a_stdio_server` for a server reached over the network.',
      },
    })
    .patch('/:id', ({ params, body }) => service.patch(params.id, body), {
      access: 'admin',
      params: ServerModel.params,
      parse: 'json',
      body: ServerModel.patch,
      response: { ...authErrors, 200: ServerModel.info, 404: ErrorModel, 422: ErrorModel },
      detail: { summary: 'Change some settings of a server' },
    })
    .delete(
      '/:id',
      ({ params, set }) => {
        service.remove(params.id)
        set.status = 204
      },
      {
        access: 'admin',
        params: ServerModel.params,
        response: { ...authErrors, 204: t.Void(), 404: ErrorModel },
        detail: { summary: 'Delete a server and its history' },
      },
    )
