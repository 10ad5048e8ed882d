import { Elysia, t } from 'elysia'
import type { Metrics } from '../../shared/metrics'
import { authErrors } from '../../shared/model'
import { accessMacro } from '../auth'

/** `GET /metrics`: Prometheus text format. Needs a key unless AUTOMCP_METRICS_PUBLIC=true. */
export const metricsController = (registry: Metrics, publicMetrics: boolean) =>
  new Elysia({ name: 'metrics' }).use(accessMacro).get(
    '/metrics',
    () =>
      new Response(registry.render(), {
        headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' },
      }),
    {
      access: publicMetrics ? 'public' : 'read',
      response: { ...authErrors, 200: t.String({ description: 'Prometheus text exposition format 0.0.4' }) },
      detail: {
        tags: ['system'],
        summary: 'Prometheus metrics',
        description:
          'HTTP requests by route and status with a latency histogram, checks by status and reason with a duration histogram, servers by status, WebSocket connections by route, running chats, chats by outcome and upstream errors by code.',
      },
    },
  )
