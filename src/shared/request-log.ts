import { Elysia } from 'elysia'
import type { HttpError } from './errors'
import type { Logger } from './logger'
import type { AppMetrics } from './metrics'
import type { MatchedRoute } from './route-match'
import { msToSeconds, roundMs } from './time'

export type RequestLog = ReturnType<typeof createRequestLog>

const authFailureReasons = new Set(['missing_key', 'invalid_key', 'too_many_failures'])

/**
 * One log line per answered request (method, route pattern rather than the raw path so ids don't
 * explode cardinality, status, ms), and the same in the HTTP metrics: `plugin` for what the handlers
 * answer, `refused` for what the front door answers before any handler runs.
 */
export function createRequestLog(logger: Logger, metrics: AppMetrics) {
  const started = new WeakMap<Request, number>()
  const record = (request: Request, route: string | undefined, status: number, refused?: string) => {
    const start = started.get(request)
    const ms = start === undefined ? null : performance.now() - start
    // Unmatched paths are one label, not one per path a scanner tries.
    const pattern = route || 'unmatched'
    metrics.httpRequests.inc({ method: request.method, route: pattern, status: String(status) })
    if (ms !== null) metrics.httpDuration.observe(msToSeconds(ms), { route: pattern })
    logger.info('request', {
      method: request.method,
      // The path only: a query string may hold an API key (`?token=`).
      route: route || new URL(request.url).pathname,
      status,
      ms: ms === null ? null : roundMs(ms),
      ...(refused ? { refused } : {}),
    })
  }
  return {
    plugin: new Elysia({ name: 'request-log' })
      .onRequest(({ request }) => {
        started.set(request, performance.now())
      })
      .onAfterResponse({ as: 'global' }, ({ request, route, set, responseValue }) => {
        const status = responseValue instanceof Response ? responseValue.status : Number(set.status ?? 200)
        record(request, route, status)
      }),
    /** A request the front door answered itself: logged and counted like any other, with its reason. */
    refused(
      request: Request,
      route: MatchedRoute | undefined,
      { error, reason }: { error: HttpError; reason: string },
    ) {
      record(request, route?.pattern, error.status, reason)
      metrics.refused.inc({ reason })
      if (authFailureReasons.has(reason)) metrics.authFailures.inc({ reason })
    },
  }
}
