import { Elysia, t } from 'elysia'
import { HttpError } from '../../shared/errors'
import { ErrorModel } from '../../shared/model'
import { fileResponse, type StaticFile } from '../../shared/static-file'
import { accessMacro } from '../auth'
import { pageHeaders, shellHtml } from './shell'

type Served = StaticFile & { type: string; etag: string }

const typeOf = (name: string) =>
  name.endsWith('.js')
    ? 'text/javascript; charset=utf-8'
    : name.endsWith('.css')
      ? 'text/css; charset=utf-8'
      : name.endsWith('.svg')
        ? 'image/svg+xml'
        : 'application/octet-stream'

const served = (body: string, type: string): Served => ({
  body,
  type,
  etag: `"${Bun.hash(body).toString(36)}"`,
})

/** The bundle and its page, built (from source) or read (from the binary) on the first request. */
function createUi() {
  let loaded: Promise<{ shell: Served; files: Map<string, Served> }> | undefined
  return () =>
    (loaded ??= import('./assets').then(({ uiFiles }) => {
      const names = Object.keys(uiFiles)
      return {
        shell: served(shellHtml(names), 'text/html; charset=utf-8'),
        files: new Map(names.map((n) => [n, served(uiFiles[n] as string, typeOf(n))])),
      }
    }))
}

/** A file with its ETag (304 when the client has it), gzipped when the client takes it. */
function answer(file: Served, request: Request, headers: Record<string, string>): Response {
  const base = { ...headers, etag: file.etag, vary: 'accept-encoding, origin', 'content-type': file.type }
  if (request.headers.get('if-none-match') === file.etag)
    return new Response(null, { status: 304, headers: base })
  return fileResponse(file, request.headers.get('accept-encoding'), base)
}

/**
 * The dashboard: `/` is its page (open to anyone: the data behind it needs a key), `/assets/{file}` its
 * script and styles, named by their content's hash and so cached for good.
 */
export function dashboardController() {
  const ui = createUi()
  return new Elysia({ name: 'dashboard', detail: { tags: ['dashboard'] } })
    .use(accessMacro)
    .get(
      '/',
      async ({ request }) =>
        answer((await ui()).shell, request, { ...pageHeaders, 'cache-control': 'no-cache' }),
      {
        access: 'public',
        detail: {
          summary: 'The dashboard',
          description: 'The dashboard app (HTML); its data comes from the API with a key.',
        },
        response: { 200: t.String({ description: 'The page' }) },
      },
    )
    .get(
      '/assets/:file',
      async ({ request, params }) => {
        const file = (await ui()).files.get(params.file)
        if (!file) throw new HttpError(404, 'not_found', `No dashboard file ${params.file}`)
        return answer(file, request, {
          ...pageHeaders,
          'cache-control': 'public, max-age=31536000, immutable',
        })
      },
      {
        access: 'public',
        params: t.Object({ file: t.String() }),
        detail: { summary: "The dashboard's script and styles", description: 'Named by their content hash.' },
        response: { 200: t.String({ description: 'The file' }), 404: ErrorModel },
      },
    )
}
