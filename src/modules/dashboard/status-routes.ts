import { Elysia, t } from 'elysia'
import { HttpError } from '../../shared/errors'
import { ErrorModel } from '../../shared/model'
import { accessMacro } from '../auth'
import { badgeColours, badgeSvg } from './badge'
import { StatusModel } from './model'
import { pageHeaders } from './shell'
import type { StatusBoard } from './status'
import { formatUptime, statusColour, statusJson, statusPageHtml, uptimeColour } from './status-page'
import { statusCss, statusCssName } from './status-style'

// Statuses move every few seconds: a viewer (or a proxy: nothing here is private) may reuse an answer briefly.
const shortCache = 'public, max-age=30'
// An SVG opened on its own is a document: nothing in it may run or load.
const svgHeaders = {
  'content-type': 'image/svg+xml; charset=utf-8',
  'cache-control': shortCache,
  'content-security-policy': "default-src 'none'",
  'x-content-type-options': 'nosniff',
}

const wantsJson = (format: string | undefined, accept: string | null) =>
  format === 'json' ||
  (format === undefined && !!accept?.includes('application/json') && !accept.includes('text/html'))

const unknownServer = (id: string) => new HttpError(404, 'server_not_found', `No server with id "${id}"`)

/**
 * The public status page and badges (`AUTOMCP_STATUS_PAGE=public`; not registered otherwise): names,
 * statuses and uptimes only — never a URL, a reason or an error, which could tell how to reach a server.
 */
export const statusController = (board: StatusBoard) =>
  new Elysia({ name: 'status-page', detail: { tags: ['dashboard'] } })
    .use(accessMacro)
    .get(
      '/status',
      ({ query, request }) => {
        const { rows, at } = board.rows()
        const headers = { 'cache-control': shortCache, vary: 'accept, origin' }
        if (wantsJson(query.format, request.headers.get('accept')))
          return Response.json(statusJson(rows, at), {
            headers: { ...headers, 'x-content-type-options': 'nosniff' },
          })
        return new Response(statusPageHtml(rows, { stylesheet: `/status/${statusCssName}`, now: at }), {
          headers: { ...pageHeaders, ...headers, 'content-type': 'text/html; charset=utf-8' },
        })
      },
      {
        access: 'public',
        query: StatusModel.pageQuery,
        detail: {
          summary: 'The status page',
          description:
            "Every server's name, status and uptime over 24 h and 30 d: an HTML page with no script, or JSON (`?format=json` or `Accept: application/json`). Only with `AUTOMCP_STATUS_PAGE=public`.",
        },
        response: { 200: StatusModel.page, 422: ErrorModel },
      },
    )
    .get(
      '/status/:file',
      ({ params }) => {
        if (params.file !== statusCssName)
          throw new HttpError(404, 'not_found', `No status page file ${params.file}`)
        return new Response(statusCss, {
          headers: {
            'content-type': 'text/css; charset=utf-8',
            'cache-control': 'public, max-age=31536000, immutable',
            'x-content-type-options': 'nosniff',
          },
        })
      },
      {
        access: 'public',
        params: t.Object({ file: t.String() }),
        detail: { summary: "The status page's style sheet", description: 'Named by its content hash.' },
        response: { 200: t.String({ description: 'The style sheet' }), 404: ErrorModel },
      },
    )
    .get(
      '/badge/:id/status.svg',
      ({ params }) => {
        const row = board.row(params.id)
        if (!row) throw unknownServer(params.id)
        const svg = badgeSvg({
          label: row.name,
          value: row.status,
          colour: badgeColours[statusColour[row.status]],
        })
        return new Response(svg, { headers: svgHeaders })
      },
      {
        access: 'public',
        params: StatusModel.badgeParams,
        detail: {
          summary: "A server's status badge",
          description: "SVG: its name, and its status on the status's colour.",
        },
        response: { 200: t.String({ description: 'image/svg+xml' }), 404: ErrorModel },
      },
    )
    .get(
      '/badge/:id/uptime.svg',
      ({ params, query }) => {
        if (!board.row(params.id)) throw unknownServer(params.id)
        const window = query.window ?? '24h'
        const ratio = board.uptime(params.id, window)
        const svg = badgeSvg({
          label: `uptime ${window}`,
          value: formatUptime(ratio),
          colour: badgeColours[uptimeColour(ratio)],
        })
        return new Response(svg, { headers: svgHeaders })
      },
      {
        access: 'public',
        params: StatusModel.badgeParams,
        query: StatusModel.uptimeQuery,
        detail: {
          summary: "A server's uptime badge",
          description:
            'SVG: its uptime over `window` (24h, 7d or 30d), green from 99 % down to red under 90 %.',
        },
        response: { 200: t.String({ description: 'image/svg+xml' }), 404: ErrorModel, 422: ErrorModel },
      },
    )
