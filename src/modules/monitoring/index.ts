import { Elysia } from 'elysia'
import { authErrors, ErrorModel } from '../../shared/model'
import { accessMacro } from '../auth'
import { ServerModel } from '../servers/model'
import { MonitoringModel } from './model'
import type { MonitoringService } from './service'

/** Checks on demand, check history and statistics of one server. */
export const monitoringController = (service: MonitoringService) =>
  new Elysia({ name: 'monitoring', prefix: '/servers', detail: { tags: ['monitoring'] } })
    .use(accessMacro)
    .post('/:id/test', ({ params }) => service.test(params.id), {
      access: 'admin',
      params: ServerModel.params,
      response: { ...authErrors, 200: MonitoringModel.testResult, 404: ErrorModel },
      detail: {
        summary: 'Check a server now',
        description:
          "Runs the same check as the background worker, records it, and answers the seed API's ServerTestResult plus the resulting `status` and `status_reason`.",
      },
    })
    .get('/:id/history', ({ params, query }) => service.history(params.id, query), {
      access: 'read',
      params: ServerModel.params,
      query: MonitoringModel.historyQuery,
      response: { ...authErrors, 200: MonitoringModel.history, 404: ErrorModel, 422: ErrorModel },
      detail: {
        summary: 'Raw checks, newest first',
        description: 'Kept for `AUTOMCP_RETAIN_RAW`; page with `cursor`.',
      },
    })
    .get('/:id/stats', ({ params, query }) => service.stats(params.id, query.window), {
      access: 'read',
      params: ServerModel.params,
      query: MonitoringModel.statsQuery,
      response: { ...authErrors, 200: MonitoringModel.stats, 404: ErrorModel, 422: ErrorModel },
      detail: {
        summary: 'Uptime and latency percentiles over a window',
        description:
          '`window` is 1h, 24h (default), 7d or 30d: exact from raw checks while they are kept, from hourly rollups beyond.',
      },
    })
