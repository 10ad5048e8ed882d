import { Elysia } from 'elysia'
import type { Logger } from './logger'
import type { AppMetrics } from './metrics'

/**
 * One log line per request (method, route pattern rather than the raw path so ids don't explode
 * cardinality, status, ms), and the same in the HTTP metrics.
 */
export const requestLog = (logger: Logger, metrics: AppMetrics) => {
  const started = new WeakMap<Request, number>()
  return new Elysia({ name: 'request-log' })
    .onRequest(({ request }) => {
      started.set(request, performance.now())
    })
    .onAfterResponse({ as: 'global' }, ({ request, route, set, responseValue }) => {
      const start = started.get(request)
      const status = responseValue instanceof Response ? responseValue.status : Number(set.status ?? 200)
      const ms = start === undefined ? null : performance.now() - start
      // Unmatched paths are one label, not one per path a scanner tries.
      const pattern = route || 'unmatched'
      metrics.httpRequests.inc({ method: request.method, route: pattern, status: String(status) })
      if (ms !== null) metrics.httpDuration.observe(ms / 1000, { route: pattern })
      logger.info('request', {
        method: request.method,
        route: route || new URL(request.url).pathname,
        status,
        ms: ms === null ? null : Math.round(ms * 100) / 100,
      })
    })
}
