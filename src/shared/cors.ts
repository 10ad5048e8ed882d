import { cors } from '@elysiajs/cors'
import { Elysia } from 'elysia'

/**
 * Cross-origin access for the configured origins only (never `*`, never credentials). Preflights are
 * answered by a route of their own rather than by the plugin's onRequest hook, so that they reach the
 * request log like every other answer.
 */
export function corsFor(origins: readonly string[]) {
  if (origins.length === 0) return new Elysia({ name: 'cors' })
  return new Elysia({ name: 'cors' })
    .use(
      cors({
        origin: [...origins],
        credentials: false,
        preflight: false,
        // Any header, and Authorization by name: a wildcard never covers it (Fetch standard).
        allowedHeaders: '*, authorization',
        maxAge: 600,
        exposeHeaders: 'etag, retry-after, www-authenticate',
      }),
    )
    .options(
      '/*',
      ({ request, set }) => {
        set.headers['access-control-allow-methods'] =
          request.headers.get('access-control-request-method') ?? '*'
        set.headers['access-control-max-age'] = '600'
        set.status = 204
      },
      { detail: { hide: true } },
    )
}
