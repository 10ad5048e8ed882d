import { Elysia } from 'elysia'
import type { Config } from './config'
import type { Db } from './db/client'
import { authGuard } from './modules/auth'
import { accessField } from './modules/auth/access'
import { chatPathDoc } from './modules/chat'
import { docsController, openapiDocument, openapiRoutes } from './modules/docs'
import { eventsPathDoc } from './modules/events'
import { eventsTopic } from './modules/events/hub'
import { gatewayMaxBodyBytes, hostRules, isGatewayRoute, rebindingRefusal } from './modules/gateway/module'
import { metricsController } from './modules/metrics'
import { maxCompletionBodyBytes } from './modules/openai'
import { systemController } from './modules/system'
import type { Services } from './services'
import { corsFor } from './shared/cors'
import { httpErrors } from './shared/http-errors'
import type { Logger } from './shared/logger'
import { createRequestLog } from './shared/request-log'
import { createRouteTable, type MatchedRoute } from './shared/route-match'

/** What a controller that is turned off adds: nothing. */
const noRoutes = new Elysia({ name: 'no-routes' })

export const maxBodyBytes = 64 * 1024
/** Larger WebSocket frames close the socket (1009); /chat answers messages over 256 KB with an error. */
export const maxFrameBytes = 1024 * 1024

export type AppDeps = {
  db: Db
  logger: Logger
  services: Services
  config: Pick<Config, 'corsOrigins' | 'auth' | 'metricsPublic' | 'allowedHosts' | 'publicUrl'>
  startedAt?: number
}

/** The whole HTTP API over its dependencies; `main.ts` listens with it, tests drive it on port 0. */
export function createApp({ db, logger, services, config, startedAt = performance.now() }: AppDeps) {
  // Every decision taken before a handler runs (access, Origin, body limit, error shape) is taken on the
  // route the router will match, found once per request from the routes registered below.
  const routes = createRouteTable(() =>
    app.routes.map(({ method, path, hooks }) => ({
      method,
      path,
      access:
        (hooks as { detail?: Record<string, string> }).detail?.[accessField] ??
        openapiRoutes.find((r) => r.method === method && r.path === path)?.access,
    })),
  )
  const bodyLimitOf = (route: MatchedRoute | undefined) =>
    route?.pattern === '/v1/chat/completions'
      ? maxCompletionBodyBytes
      : isGatewayRoute(route?.pattern)
        ? gatewayMaxBodyBytes
        : maxBodyBytes
  const log = createRequestLog(logger, services.metrics)
  // `/mcp` and `/sse` answer only to the host names AutoMCP is known by (DNS rebinding).
  const hosts = hostRules(config.allowedHosts, config.auth === 'on', config.publicUrl)
  const rebinding = (request: Request, route: MatchedRoute | undefined) =>
    isGatewayRoute(route?.pattern)
      ? rebindingRefusal(
          hosts,
          request.headers.get('host'),
          request.headers.get('origin'),
          config.corsOrigins,
        )
      : undefined
  // normalize: false so a misspelt PATCH field is refused instead of silently dropped; handlers build
  // their responses field by field, so nothing extra can leak out either.
  const app = new Elysia({
    // Bun answers bodies over its server-wide cap itself, without our JSON shape: the cap is set far above
    // every route's limit, which the front door (Content-Length) and httpErrors (streamed) enforce.
    serve: { maxRequestBodySize: 2 ** 40 },
    normalize: false,
    // Elysia looks for the path from the URL's 12th character unless told otherwise, which misses it
    // behind a Host of 3 characters or fewer (`Host: api`). AutoMCP serves plain http:// only, where the
    // path starts after "http://" whatever the host.
    handler: { standardHostname: false },
    // One router reading one path: Bun's own router would match routes on the raw request target
    // (`/servers/.` reaching `/servers/:id`) while hooks see Request.url with its dot segments resolved
    // (`/servers/`). Elysia's router reads Request.url, the path every decision in the guard is taken on.
    systemRouter: false,
    // Bun takes WebSocket limits for the whole server (Elysia drops those given to one route), so they
    // are set here for /events and /chat alike. A consumer that falls 1 MB behind is closed rather than
    // buffered for without bound; /chat's relay pauses its upstream long before that.
    websocket: {
      maxPayloadLength: maxFrameBytes,
      backpressureLimit: 1024 * 1024,
      closeOnBackpressureLimit: true,
      idleTimeout: 120,
    },
  })
    .use(httpErrors(logger, (request) => bodyLimitOf(routes.known(request)), isGatewayRoute))
    .use(log.plugin)
    .use(corsFor(config.corsOrigins))
    .use(
      authGuard(services.auth, {
        mode: config.auth,
        corsOrigins: config.corsOrigins,
        limiter: services.limiter,
        failures: services.authFailures,
        routes,
        log,
        bodyLimitOf,
        rebinding,
      }),
    )
    .use(openapiDocument({ ...eventsPathDoc, ...chatPathDoc }))
    .use(docsController)
    .use(systemController(db, startedAt))
    .use(services.controllers.servers)
    .use(services.controllers.monitoring)
    .use(services.controllers.events)
    .use(services.controllers.chat)
    .use(services.controllers.tools)
    .use(services.controllers.openai)
    .use(services.controllers.oauth)
    .use(services.controllers.gateway)
    .use(services.controllers.dashboard)
    // Not part of `App`'s type: the dashboard reads the API, never the status page.
    .use((services.controllers.statusPage ?? noRoutes) as typeof noRoutes)
    .use(services.controllers.toolsets)
    .use(services.controllers.keys)
    .use(metricsController(services.metrics.registry, config.metricsPublic))
  services.hub.attach((json) => app.server?.publish(eventsTopic, json))
  return app
}

export type App = ReturnType<typeof createApp>
