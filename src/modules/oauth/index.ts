import { Elysia } from 'elysia'
import { authErrors, ErrorModel } from '../../shared/model'
import { accessMacro } from '../auth'
import { ServerModel } from '../servers/model'
import { OAuthModel } from './model'
import type { CallbackResult, OAuthService } from './service'

/** The OAuth routes: begin an authorization (admin), the browser's return (public), the client document. */
export const oauthController = (service: OAuthService) =>
  new Elysia({ name: 'oauth', detail: { tags: ['oauth'] } })
    .use(accessMacro)
    .post('/servers/:id/authorize', ({ params }) => service.authorize(params.id), {
      access: 'admin',
      params: ServerModel.params,
      response: {
        ...authErrors,
        200: ServerModel.authorized,
        404: ErrorModel,
        409: ErrorModel,
        502: ErrorModel,
      },
      detail: {
        summary: 'Begin an OAuth authorization',
        description:
          "For a server registered with `oauth`: discovers its authorization server (from the server's challenge and metadata), picks the client (pre-registered, AutoMCP's metadata document, or a dynamic registration) and answers the authorization URL (PKCE, `state`, `resource`). Open it in a browser; the authorization server sends the browser back to `GET /oauth/callback`. 409 `no_oauth` or `oauth_not_interactive` (client credentials need no user); 502 `oauth_failed` when discovery or registration fails (a resource that does not match the server's URL, say).",
      },
    })
    .get('/oauth/callback', async ({ query, request }) => answer(await service.callback(query), request), {
      access: 'public',
      query: OAuthModel.callbackQuery,
      response: {
        200: OAuthModel.page,
        400: OAuthModel.page,
        409: OAuthModel.page,
        422: ErrorModel,
        502: OAuthModel.page,
      },
      detail: {
        summary: 'Where the authorization server sends the browser back',
        description:
          'Exchanges the code for tokens (once per `state`, within 10 minutes of the authorization URL), stores them sealed, checks the server at once, and answers a small page saying whether the server is connected. Needs no API key: the `state` is the key.',
        security: [],
      },
    })
    .get('/oauth/client-metadata.json', () => service.clientMetadata(), {
      access: 'public',
      response: { 200: OAuthModel.clientMetadata },
      detail: {
        summary: "AutoMCP's OAuth Client ID Metadata Document",
        description:
          'Its URL is the client id AutoMCP gives authorization servers that accept metadata documents.',
        security: [],
      },
    })

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  )

/**
 * A browser (Accept: text/html) gets a page; anything else the API's JSON, an error as `{ detail, code }`
 * like every other.
 */
function answer(r: CallbackResult, request: Request): Response {
  if ((request.headers.get('accept') ?? '').includes('text/html')) return callbackPage(r)
  const body = r.ok
    ? { status: r.code, detail: r.message }
    : { detail: `${r.title}: ${r.message}`, code: r.code }
  return Response.json(body, { status: r.status, headers: { 'cache-control': 'no-store' } })
}

/** The page the browser lands on: plain HTML, no script, nothing loaded from anywhere. */
function callbackPage(r: CallbackResult): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(r.title)} · AutoMCP</title></head><body><h1>${escapeHtml(r.title)}</h1><p>${escapeHtml(r.message)}</p></body></html>`
  return new Response(html, {
    status: r.status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    },
  })
}
