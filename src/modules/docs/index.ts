import { Elysia } from 'elysia'
import css from 'swagger-ui-dist/swagger-ui.css' with { type: 'text' }
import bundle from 'swagger-ui-dist/swagger-ui-bundle.js' with { type: 'text' }
import { fileResponse, type StaticFile } from '../../shared/static-file'
import { version } from '../../version'
import { accessMacro } from '../auth'

export { openapiDocument, openapiRoutes } from './openapi'

// Swagger UI served from the binary itself, so the page works offline and air-gapped.
// validatorUrl: null stops the UI from sending the document to validator.swagger.io.
const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>AutoMCP API</title>
  <link rel="stylesheet" href="/swagger/swagger-ui.css?v=${version}" />
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/swagger/swagger-ui-bundle.js?v=${version}"></script>
  <script>
    window.ui = SwaggerUIBundle({
      url: '/openapi/json',
      dom_id: '#swagger-ui',
      validatorUrl: null,
      deepLinking: true,
      persistAuthorization: true,
    })
  </script>
</body>
</html>`

type Asset = StaticFile & { type: string }
const assets: Record<string, Asset> = {
  'swagger-ui.css': { type: 'text/css; charset=utf-8', body: css },
  'swagger-ui-bundle.js': { type: 'text/javascript; charset=utf-8', body: bundle },
}

function serveAsset(asset: Asset, acceptEncoding: string | undefined): Response {
  const headers: Record<string, string> = {
    'content-type': asset.type,
    'cache-control': 'public, max-age=604800, immutable',
    vary: 'accept-encoding',
  }
  // Compressed on first use: ~1.4 MB of script becomes ~0.4 MB, without slowing start-up.
  return fileResponse(asset, acceptEncoding, headers)
}

export const docsController = new Elysia({ name: 'docs', detail: { hide: true } })
  .use(accessMacro)
  // The page asks for a key itself (Authorize), so it and its assets are open to anyone.
  .get('/swagger', () => new Response(page, { headers: { 'content-type': 'text/html; charset=utf-8' } }), {
    access: 'public',
  })
  .get(
    '/swagger/:asset',
    ({ params, headers, status }) => {
      // Own keys only: `/swagger/constructor` found Object.prototype's and failed with a 500.
      const asset = Object.hasOwn(assets, params.asset) ? assets[params.asset] : undefined
      return asset
        ? serveAsset(asset, headers['accept-encoding'])
        : status(404, { detail: 'Not found', code: 'not_found' })
    },
    { access: 'public' },
  )
