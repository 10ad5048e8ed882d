import { Elysia, t } from 'elysia'
import { type Db, isDbUsable } from '../../db/client'
import { HttpError } from '../../shared/errors'
import { ErrorModel } from '../../shared/model'
import { version } from '../../version'
import { accessMacro } from '../auth'

/** Liveness for load balancers and Docker: 200 while the database answers, 503 otherwise. */
export const systemController = (db: Db, startedAt: number) =>
  new Elysia({ name: 'system', detail: { tags: ['system'] } }).use(accessMacro).get(
    '/health',
    () => {
      if (!isDbUsable(db)) throw new HttpError(503, 'database_unavailable', 'The database is not usable')
      return { status: 'ok' as const, version, uptime_s: Math.floor((performance.now() - startedAt) / 1000) }
    },
    {
      access: 'public',
      response: {
        200: t.Object({ status: t.Literal('ok'), version: t.String(), uptime_s: t.Integer() }),
        503: ErrorModel,
      },
      detail: { summary: 'Health of AutoMCP itself', description: 'Needs no API key.', security: [] },
    },
  )
