import { Elysia } from 'elysia'
import type { Logger } from './logger'

/** One log line per request: method, route pattern (not the raw path, so ids don't explode cardinality), status, ms. */
export const requestLog = (logger: Logger) => {
  const started = new WeakMap<Request, number>()
  return new Elysia({ name: 'request-log' })
    .onRequest(({ request }) => {
      started.set(request, performance.now())
    })
    .onAfterResponse({ as: 'global' }, ({ request, route, set, responseValue }) => {
      const start = started.get(request)
      const status = responseValue instanceof Response ? responseValue.status : Number(set.status ?? 200)
      logger.info('request', {
        method: request.method,
        route: route || new URL(request.url).pathname,
        status,
        ms: start === undefined ? null : Math.round((performance.now() - start) * 100) / 100,
      })
    })
}
