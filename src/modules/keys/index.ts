import { Elysia, t } from 'elysia'
import { authErrors, ErrorModel } from '../../shared/model'
import { accessMacro } from '../auth'
import { KeyModel } from './model'
import type { KeyService } from './service'

/** API keys over HTTP, for admins: what `automcp keys` does on the database. */
export const keysController = (service: KeyService) =>
  new Elysia({ name: 'keys', prefix: '/keys', detail: { tags: ['keys'] } })
    .use(accessMacro)
    .get('', () => service.list(), {
      access: 'admin',
      response: { ...authErrors, 200: t.Array(KeyModel.info) },
      detail: {
        summary: 'List API keys',
        description:
          'Every stored key, revoked ones included, oldest first: never the key or its hash. AUTOMCP_API_KEY is not stored and not listed.',
      },
    })
    .post(
      '',
      ({ body, set }) => {
        const created = service.create(body)
        set.status = 201
        set.headers['cache-control'] = 'no-store'
        return created
      },
      {
        access: 'admin',
        parse: 'json',
        body: KeyModel.create,
        response: { ...authErrors, 201: KeyModel.created, 422: ErrorModel },
        detail: {
          summary: 'Create an API key',
          description:
            "The key is in this response only. With `toolset`, the key reaches only that toolset's gateway routes (`/mcp/<toolset>`) and gets 403 `toolset_only` elsewhere; `role` then defaults to `read`, and is required otherwise. 422 `unknown_toolset`.",
        },
      },
    )
    .delete(
      '/:id',
      ({ params, set }) => {
        service.revoke(params.id)
        set.status = 204
      },
      {
        access: 'admin',
        params: KeyModel.params,
        response: { ...authErrors, 204: t.Void(), 404: ErrorModel },
        detail: {
          summary: 'Revoke an API key',
          description:
            'Refused at once; its open sockets close within a second. The key stays listed with `revoked_at`. 404 `key_not_found` for an unknown or already revoked key.',
        },
      },
    )
